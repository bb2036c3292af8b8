namespace Dashboard.Core.FourLetterWords;

/// <summary>The <c>Mode:</c> a node reports in <c>srvr</c>/<c>stat</c>.</summary>
public enum ServerMode
{
    Unknown,
    Leader,
    Follower,
    Observer,
    Standalone,
    ReadOnly,
}
