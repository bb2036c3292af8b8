using System.Globalization;

namespace Dashboard.Znodes;

/// <summary>Numbers and times as the znode pages print them (invariant, so every operator reads the same).</summary>
internal static class ZnodeFormat
{
    public static string N(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "";

    public static string Session(long id) => "0x" + id.ToString("x", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset moment) => moment.ToString("O", CultureInfo.InvariantCulture);

    public static string Absolute(DateTimeOffset moment) => moment.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);

    public static string Bytes(long length) => length switch
    {
        < 1024 => $"{length} B",
        < 1024 * 1024 => (length / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => (length / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
    };
}
