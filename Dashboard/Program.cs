using Dashboard.Hosting;

var (sandbox, remaining) = CommandLine.TakeSandboxFlag(args);
var builder = WebApplication.CreateBuilder(remaining);
builder.Services.AddDashboard(builder.Configuration, sandbox);

var app = builder.Build();
app.UseDashboard();
app.Run();

/// <summary>Entry point; public so the tests' WebApplicationFactory can host the app.</summary>
public partial class Program;
