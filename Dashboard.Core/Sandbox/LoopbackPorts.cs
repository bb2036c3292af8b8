using System.Net;
using System.Net.Sockets;

namespace Dashboard.Core.Sandbox;

/// <summary>Free loopback ports, chosen by the kernel. They are released before ZooKeeper binds them, so a clash
/// is still possible; the sandbox detects it from the node's log and retries with new ports.</summary>
internal static class LoopbackPorts
{
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
    }
}
