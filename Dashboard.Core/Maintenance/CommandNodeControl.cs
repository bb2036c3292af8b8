using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Runs the configured argument lists directly (no shell, so a host name can never become shell syntax), each under
/// the action timeout: a command that hangs is killed with its children and the step fails. Output is captured,
/// bounded, for the run log.
/// </summary>
public sealed class CommandNodeControl(NodeControlSettings settings) : INodeControl
{
    /// <summary>Characters of output kept per command; the tail matters most (errors come last).</summary>
    public const int MaxOutput = 8_000;

    public NodeControlKind Kind => NodeControlKind.Command;

    /// <summary>The exact argument list(s) that will run, or why nothing will (a refused host, port or id).</summary>
    public string Describe(NodeAction action, NodeDefinition node) =>
        NodeArgumentCheck.ForTemplates(Commands(action), node) is { } problem
            ? "not run: " + problem
            : string.Join(" then ", Commands(action).Select(c => NodeArgumentCheck.ArgumentList(Fill(c, node))));

    /// <summary>The configured argument lists of an action, placeholders unfilled (for <see cref="NodeArgumentCheck"/>).</summary>
    public IEnumerable<IReadOnlyList<string>> Templates(NodeAction action) => Commands(action);

    public async Task<NodeControlResult> RunAsync(NodeAction action, NodeDefinition node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        // Judged again here, not only in the plan: a broker's registration can change between the plan and the step.
        if (NodeArgumentCheck.ForTemplates(Commands(action), node) is { } problem)
            return NodeControlResult.Failed(NodeArgumentCheck.Refusal(node, problem));
        var output = new StringBuilder();
        foreach (var command in Commands(action))
        {
            var result = await RunOneAsync(Fill(command, node), cancellationToken).ConfigureAwait(false);
            if (result.Output is { Length: > 0 } text) output.AppendLine(text);
            if (!result.Succeeded) return result with { Output = Bound(output.ToString()) };
        }
        return NodeControlResult.Done($"{Describe(action, node)}: exited 0", Bound(output.ToString()));
    }

    private IEnumerable<IReadOnlyList<string>> Commands(NodeAction action) => action switch
    {
        NodeAction.Restart when !settings.Restart.IsDefaultOrEmpty => [settings.Restart],
        NodeAction.Restart => [settings.Stop, settings.Start],
        NodeAction.Stop => [settings.Stop],
        _ => [settings.Start],
    };

    private static List<string> Fill(IReadOnlyList<string> command, NodeDefinition node) => command.Select(a => NodePlaceholders.Fill(a, node)).ToList();

    private async Task<NodeControlResult> RunOneAsync(List<string> command, CancellationToken cancellationToken)
    {
        if (command.Count == 0) return NodeControlResult.Failed("no command is configured for this action");
        var line = NodeArgumentCheck.ArgumentList(command);
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return NodeControlResult.Failed($"{line} could not start: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close(); // a command that asks for input (a password prompt) gets end-of-file, not a hang
            var output = new StringBuilder();
            var reading = Task.WhenAll(ReadAsync(process.StandardOutput, output), ReadAsync(process.StandardError, output));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.ActionTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                await reading.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
                var why = cancellationToken.IsCancellationRequested ? "was cancelled" : $"did not finish within {settings.ActionTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
                return NodeControlResult.Failed($"{line} {why} and was killed", Bound(Text(output)));
            }
            catch (TimeoutException)
            {
                // A child that inherited the pipes still holds them open; the command itself has ended.
            }
            return process.ExitCode == 0
                ? NodeControlResult.Done($"{line}: exited 0", Bound(Text(output)))
                : NodeControlResult.Failed($"{line} exited with code {process.ExitCode}", Bound(Text(output)));
        }
    }

    private static async Task ReadAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            lock (into) into.Append(buffer, 0, read);
    }

    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    private static string? Bound(string text) =>
        text.Trim() is { Length: > 0 } t ? t.Length > MaxOutput ? "..." + t[^MaxOutput..] : t : null;
}
