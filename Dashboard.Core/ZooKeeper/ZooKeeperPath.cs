namespace Dashboard.Core.ZooKeeper;

/// <summary>
/// Path rules as ZooKeeper enforces them, checked before anything is sent so a bad path gets a clear error instead of
/// a server-side BadArguments or a dropped connection.
/// </summary>
public static class ZooKeeperPath
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when <paramref name="path"/> is not a valid znode path.</summary>
    /// <param name="path">The path to check.</param>
    /// <param name="sequential">Sequential creates may end in '/', since the server appends the counter.</param>
    public static void Validate(string path, bool sequential = false)
    {
        var problem = FindProblem(path, sequential);
        if (problem is not null) throw new ArgumentException($"Invalid ZooKeeper path \"{Printable(path)}\": {problem}.", nameof(path));
    }

    public static bool IsValid(string path, bool sequential = false) => FindProblem(path, sequential) is null;

    private static string? FindProblem(string? path, bool sequential)
    {
        if (path is null) return "the path is null";
        if (sequential) path += "1";
        if (path.Length == 0) return "the path is empty";
        if (path[0] != '/') return "it must start with '/'";
        if (path.Length == 1) return null;
        if (path[^1] == '/') return "it must not end with '/'";

        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                var problem = CharacterProblem(path[i]);
                if (problem is not null) return $"{problem} at index {i}";
                continue;
            }
            var segment = path.AsSpan(segmentStart, i - segmentStart);
            if (segment.Length == 0) return $"empty segment at index {i}";
            if (segment is "." or "..") return $"relative segment \"{segment}\" at index {segmentStart}";
            segmentStart = i + 1;
        }
        return null;
    }

    private static string? CharacterProblem(char c) => c switch
    {
        '\0' => "null character",
        <= '\u001f' or (>= '\u007f' and <= '\u009f') => $"control character U+{(int)c:X4}",
        (>= '\ud800' and <= '\uf8ff') or >= '\ufff0' => $"character U+{(int)c:X4} that ZooKeeper refuses",
        _ => null,
    };

    private static string Printable(string? path) =>
        path is null ? "(null)" : string.Concat(path.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>The server-side path for a caller's path under a chroot (<c>null</c> or empty for none).</summary>
    internal static string Prepend(string? chroot, string path) =>
        string.IsNullOrEmpty(chroot) ? path : path == "/" ? chroot : chroot + path;

    /// <summary>The caller's path for a server-side path: the chroot removed (paths outside it are returned unchanged).</summary>
    internal static string Strip(string? chroot, string serverPath)
    {
        if (string.IsNullOrEmpty(chroot) || !serverPath.StartsWith(chroot, StringComparison.Ordinal)) return serverPath;
        if (serverPath.Length == chroot.Length) return "/";
        return serverPath[chroot.Length] == '/' ? serverPath[chroot.Length..] : serverPath;
    }
}
