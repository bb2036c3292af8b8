namespace Dashboard.Core.Ensemble;

public enum FindingSeverity { Info, Warning, Critical }

/// <summary>Something an operator should act on: a stable <see cref="Code"/>, and one line saying what and what to do.</summary>
public sealed record Finding(FindingSeverity Severity, string Code, string Message, int? NodeId = null);
