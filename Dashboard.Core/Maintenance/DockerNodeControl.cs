using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Restarts, stops or starts a container through the Docker Engine API on its unix socket (no Docker client
/// library is available here, and none is needed: three POSTs). Each call is bounded by the action timeout.
/// </summary>
public sealed class DockerNodeControl : INodeControl, IDisposable
{
    /// <summary>Seconds Docker gives ZooKeeper to stop after SIGTERM before it kills it.</summary>
    public const int StopGraceSeconds = 30;

    private readonly NodeControlSettings _settings;
    private readonly HttpClient _http;

    public DockerNodeControl(NodeControlSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        var socket = settings.DockerSocket;
        var handler = new SocketsHttpHandler
        {
            // Every request goes to the unix socket whatever the URL's host says.
            ConnectCallback = async (_, cancellationToken) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public NodeControlKind Kind => NodeControlKind.Docker;

    public string Describe(NodeAction action, NodeDefinition node) =>
        NodeArgumentCheck.ForContainer(_settings.Container, node) is { } problem ? "not run: " + problem :
        $"docker {action.ToString().ToLowerInvariant()} {Container(node)} (Engine API on {_settings.DockerSocket})";

    public async Task<NodeControlResult> RunAsync(NodeAction action, NodeDefinition node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (NodeArgumentCheck.ForContainer(_settings.Container, node) is { } problem)
            return NodeControlResult.Failed(NodeArgumentCheck.Refusal(node, problem));
        var container = Container(node);
        var verb = action.ToString().ToLowerInvariant();
        var path = $"containers/{Uri.EscapeDataString(container)}/{verb}" + (action == NodeAction.Start ? "" : $"?t={StopGraceSeconds.ToString(CultureInfo.InvariantCulture)}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.ActionTimeout);
        try
        {
            using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), null, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.NoContent => NodeControlResult.Done($"docker {verb} {container}: done"),
                HttpStatusCode.NotModified => NodeControlResult.Done($"docker {verb} {container}: the container was already {(action == NodeAction.Start ? "running" : "stopped")}"),
                HttpStatusCode.NotFound => NodeControlResult.Failed($"docker {verb} {container}: no such container (check Container in the settings)", body),
                _ => NodeControlResult.Failed($"docker {verb} {container}: the Docker engine answered {(int)response.StatusCode}", body),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return NodeControlResult.Failed($"docker {verb} {container}: no answer from the Docker engine within {_settings.ActionTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return NodeControlResult.Failed($"docker {verb} {container}: cannot reach the Docker engine at {_settings.DockerSocket} ({e.Message})");
        }
    }

    /// <summary>The configured container name, placeholders unfilled (for <see cref="NodeArgumentCheck"/>).</summary>
    public string? ContainerTemplate => _settings.Container;

    private string Container(NodeDefinition node) => NodePlaceholders.Fill(_settings.Container ?? "", node);

    public void Dispose() => _http.Dispose();
}
