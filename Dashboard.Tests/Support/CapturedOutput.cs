namespace Dashboard.Tests.Support;

/// <summary>Real answers captured from ZooKeeper servers, under TestData/.</summary>
public static class CapturedOutput
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "zk38", name));
}
