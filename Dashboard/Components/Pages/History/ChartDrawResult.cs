namespace Dashboard.Components.Pages.History;

/// <summary>What charts.js answers after drawing one chart: the points drawn, or why it could not draw.</summary>
internal sealed record ChartDrawResult(int Points, string? Error);
