namespace Dashboard.Znodes;

/// <summary>
/// Opens a node on the page. A path whose address is too long for a URL (names of many KB) is opened by state
/// within the circuit: the page keeps the path and the URL stays where it was. That needs no server-side table of
/// path ids (which would expire, or grow without bound) and cannot open the wrong node; the price is that such a
/// node has no deep link. Cascaded by the znode page; absent (null) where a component is rendered without it.
/// </summary>
public sealed class ZnodeNavigator(Func<string, Task> open)
{
    public Task OpenAsync(string path) => open(path);
}
