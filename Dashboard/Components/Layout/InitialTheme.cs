namespace Dashboard.Components.Layout;

/// <summary>The theme the first request asked for (from its cookie), handed from the static page to the shell.</summary>
internal sealed record InitialTheme(bool Dark);
