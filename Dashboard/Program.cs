using Dashboard.Hosting;

if (PasswordHashCommand.IsRequested(args))
    return PasswordHashCommand.Run(Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);

var (sandbox, remaining) = CommandLine.TakeSandboxFlag(args);
var builder = WebApplication.CreateBuilder(remaining);
builder.Services.AddDashboard(builder.Configuration, sandbox);

var app = builder.Build();
app.UseDashboard();
app.Run();
return 0;

/// <summary>Entry point; public so the tests' WebApplicationFactory can host the app.</summary>
public partial class Program;
