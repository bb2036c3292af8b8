using System.Net;
using System.Net.Sockets;

namespace Dashboard.Core.Sandbox;

/// <summary>
/// Loopback ports for sandbox nodes. Ports come from a range below the kernel's ephemeral range (so outgoing
/// connections never take them) and are never handed out twice by one process: with ports from the kernel
/// (port 0), a node killed by one test could see its port given to another sandbox started in parallel, and a
/// probe meant for the dead node would reach a stranger. Each process starts at its own offset in the range; a
/// port still taken by another process fails the bind check and is skipped; a clash in the window between check
/// and use is caught from the node's log and retried with new ports.
/// </summary>
internal static class LoopbackPorts
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static int _next = First + Environment.ProcessId * 97 % (Last - First);
    private static readonly Lock Gate = new();

    public static int[] Take(int count)
    {
        var ports = new int[count];
        lock (Gate)
        {
            for (var i = 0; i < count; i++) ports[i] = NextFree();
        }
        return ports;
    }

    private static int NextFree()
    {
        for (var tries = 0; tries < Last - First; tries++)
        {
            var port = _next;
            _next = _next >= Last ? First : _next + 1;
            if (IsFree(port)) return port;
        }
        throw new SandboxException($"No free loopback port between {First} and {Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
