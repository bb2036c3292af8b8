namespace Dashboard.Core.Ensemble;

/// <summary>What a node is doing now, as the dashboard sees it. <see cref="Down"/>: no answer at all.</summary>
public enum NodeRole { Unknown, Leader, Follower, Observer, Standalone, ReadOnly, NotServing, Down }
