using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Sandbox;

namespace Dashboard.Hosting;

/// <summary>
/// With <c>--sandbox</c>: starts a local ZooKeeper ensemble in the background, registers it as the cluster
/// "sandbox" (starting, then ready or failed with the reason), and stops it when the dashboard stops. Unless
/// <c>Sandbox:KafkaBrokers</c> is false, sandbox Kafka brokers (metadata only, no Kafka) run on it under <c>/kafka</c>.
/// </summary>
internal sealed partial class SandboxHost(SandboxSettings settings, ClusterRegistry registry, NodeControlFactory controls, ILogger<SandboxHost> logger) : BackgroundService
{
    public const string ClusterId = "sandbox";
    private ZooKeeperSandbox? _sandbox;
    private SandboxKafkaCluster? _kafka;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A fresh password per run, known only to the JAAS file and this process (never printed).
        var saslPassword = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var sasl = settings.Sasl ? new Core.ZooKeeper.Security.SaslCredentials("dashboard", saslPassword) : null;
        var options = new SandboxOptions
        {
            Voters = settings.Voters, Observers = settings.Observers, ZooKeeperHome = settings.ZooKeeperHome,
            Tls = settings.Tls ? new SandboxTlsOptions() : null,
            SaslUsers = sasl is null ? null : new Dictionary<string, string> { [sasl.UserName] = saslPassword },
            Kerberos = settings.Kerberos ? new SandboxKerberosOptions() : null,
        };
        var pending = new ClusterDefinition(ClusterId, "Sandbox", "(starting)", ClusterOrigin.Sandbox);
        registry.Upsert(new ClusterEntry(pending, ClusterAvailability.Starting, $"Starting {options.Voters} voter(s) and {options.Observers} observer(s)..."));
        try
        {
            var progress = new Progress<string>(message => LogProgress(logger, message));
            _sandbox = await ZooKeeperSandbox.StartAsync(options, progress, stoppingToken).ConfigureAwait(false);
            // The sandbox knows every node's id, observer flag and AdminServer URL: the cluster carries them all.
            // Maintenance is on for the sandbox, acting on its own processes: everything it does is real and harmless.
            controls.RegisterSandbox(ClusterId, _sandbox);
            // The KDC, and so the keytab, exists only once the sandbox started.
            if (_sandbox.Kerberos is { } kdc) sasl = Core.ZooKeeper.Security.SaslCredentials.Kerberos(kdc.Principal("dashboard"), kdc.Keytab("dashboard"), kdc.Krb5Config);
            var ready = SandboxCluster.Define(_sandbox, ClusterId, pending.Name, settings.PollInterval, sasl) with
            {
                Maintenance = new MaintenanceSettings { Enabled = true, Control = new NodeControlSettings(NodeControlKind.Sandbox),
                    BrokerControl = new NodeControlSettings(NodeControlKind.Sandbox), SettlePeriod = TimeSpan.FromSeconds(3) },
            };
            registry.Upsert(new ClusterEntry(ready, ClusterAvailability.Ready,
                $"{options.Voters} voter(s), {options.Observers} observer(s) on loopback"));
            if (settings.KafkaBrokers)
            {
                _kafka = await SandboxKafkaCluster.StartDemoAsync(_sandbox.ConnectString, stoppingToken).ConfigureAwait(false);
                controls.RegisterSandboxKafka(ClusterId, _kafka);
                LogKafkaStarted(logger, _kafka.Paths.Chroot);
            }
        }
        catch (Exception e) when (_sandbox is not null && e is Core.ZooKeeper.ZooKeeperException or TimeoutException)
        {
            // The ensemble is up; only the imitated Kafka brokers failed. The ensemble stays usable.
            LogKafkaFailed(logger, e.Message);
        }
        catch (SandboxException e)
        {
            LogFailed(logger, e.Message);
            registry.Upsert(new ClusterEntry(pending, ClusterAvailability.Failed, e.Message));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_kafka is { } kafka)
        {
            controls.UnregisterSandboxKafka(ClusterId);
            await kafka.DisposeAsync().ConfigureAwait(false);
        }
        if (_sandbox is { } sandbox)
        {
            LogStopping(logger);
            controls.UnregisterSandbox(ClusterId);
            await sandbox.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    private static partial void LogProgress(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "The ZooKeeper sandbox could not start: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox Kafka brokers (ZooKeeper metadata only) running under {Chroot}.")]
    private static partial void LogKafkaStarted(ILogger logger, string chroot);

    [LoggerMessage(Level = LogLevel.Error, Message = "The sandbox Kafka brokers could not start: {Reason}")]
    private static partial void LogKafkaFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping the ZooKeeper sandbox.")]
    private static partial void LogStopping(ILogger logger);
}
