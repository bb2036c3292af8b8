using Dashboard.Core.Clusters;

namespace Dashboard.Tests.Clusters;

public sealed class ClusterDefinitionTextTests
{
    [Fact]
    public void ToString_WithDigest_NamesClusterWithoutCredentials()
    {
        var definition = ClusterDefinition.FromOptions(new ClusterOptions
        {
            Name = "prod",
            ConnectString = "zk1:2181",
            Digest = "monitor:s3cret-pa55",
        }, 0);

        var text = definition.ToString();

        Assert.Equal("monitor:s3cret-pa55", definition.Digest);
        Assert.Contains("prod", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pa55", text, StringComparison.Ordinal);
    }
}
