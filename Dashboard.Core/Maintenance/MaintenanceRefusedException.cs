using System.Collections.Immutable;

namespace Dashboard.Core.Maintenance;

/// <summary>A run was not started, paused, resumed or aborted; the refusals say which rule, which node, and what would pass.</summary>
public sealed class MaintenanceRefusedException : Exception
{
    public MaintenanceRefusedException() : this("refused", []) { }
    public MaintenanceRefusedException(string message) : this(message, []) { }
    public MaintenanceRefusedException(string message, Exception inner) : base(message, inner) => Refusals = [];

    public MaintenanceRefusedException(string message, ImmutableArray<MaintenanceCheck> refusals) : base(message) => Refusals = refusals;

    public ImmutableArray<MaintenanceCheck> Refusals { get; }

    /// <summary>Which kind of refusal: a conflict (another run, a state that does not allow it) or a failed check.</summary>
    public bool IsConflict { get; init; }

    /// <summary>The asker's role does not allow the action.</summary>
    public bool IsForbidden { get; init; }
}
