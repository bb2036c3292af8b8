using System.Threading.RateLimiting;
using Dashboard.Core.Access;
using Dashboard.Core.History;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dashboard.Access;

internal static class AccessServices
{
    /// <summary>Largest request body accepted (a znode's data is at most about 1 MB in ZooKeeper).</summary>
    public const long MaxRequestBodyBytes = 2 * 1024 * 1024;

    public static IServiceCollection AddDashboardAccess(this IServiceCollection services, IConfiguration configuration, bool sandbox)
    {
        var settings = configuration.GetSection(AccessSettings.Section).Get<AccessSettings>() ?? new AccessSettings();
        AccessSettingsValidation.Validate(settings);
        var sandboxAdmin = sandbox ? SandboxAdmin.Create(settings) : null;
        var mode = new AccessMode(settings, sandboxAdmin);

        services.AddSingleton(settings);
        services.AddSingleton(mode);
        services.AddSingleton<UserDirectory>(sp => new UserDirectory(settings, sandboxAdmin, configuration, sp.GetRequiredService<ILogger<UserDirectory>>()));
        services.AddSingleton(sp => new SessionStore(sp.GetRequiredService<HistoryDatabase>(), sp.GetRequiredService<HistoryWriter>(), sp.GetRequiredService<TimeProvider>(), settings.SessionLifetime));
        services.AddSingleton<SessionAdmin>();
        services.AddSingleton<ApiTokenAdmin>();
        services.AddDashboardDataProtection(configuration);
        services.AddSingleton(sp => new SignInLockout(settings.LockoutFailures, settings.LockoutDuration, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ApiTokenStore>();
        services.AddSingleton<IAuditLog>(sp => new AuditRefusalCoalescer(new HistoryAuditLog(sp.GetRequiredService<HistoryWriter>()), sp.GetRequiredService<TimeProvider>(), settings.AuditRefusalInterval));
        services.AddSingleton<AuditLogReader>();
        services.AddSingleton<RequestAudit>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResults>();
        services.AddSingleton<IAuthorizationHandler, AccessRequirementHandler>();
        if (sandboxAdmin is not null)
        {
            services.AddSingleton(sandboxAdmin);
            services.AddHostedService<SandboxAdminAnnouncement>();
        }

        services.AddAuthentication(AccessSchemes.PerRequest)
            .AddPolicyScheme(AccessSchemes.PerRequest, "Bearer token, trusted proxy or cookie", o => o.ForwardDefaultSelector = http => SchemeFor(http, mode))
            .AddCookie(AccessSchemes.Cookie, o => ConfigureCookie(o, settings))
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(AccessSchemes.ApiToken, null)
            .AddScheme<AuthenticationSchemeOptions, TrustedProxyAuthentication>(AccessSchemes.TrustedProxy, null);

        var read = new AuthorizationPolicyBuilder().AddRequirements(new ReadRequirement()).Build();
        var methodAware = new AuthorizationPolicyBuilder().AddRequirements(new MethodAwareRequirement()).Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Read, read)
            .AddPolicy(AccessPolicies.Operator, p => p.RequireRole(DashboardRoles.Operator))
            .AddPolicy(AccessPolicies.Admin, p => p.RequireRole(DashboardRoles.Admin))
            // [Authorize] on a page means the same as no attribute: reading it needs read access, posting to it an operator.
            .SetDefaultPolicy(methodAware)
            .SetFallbackPolicy(methodAware);

        services.AddAntiforgery(o =>
        {
            o.HeaderName = "RequestVerificationToken";
            o.Cookie.Name = ".zkd.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInEndpoints.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                ForwardedClients.ClientAddress(http)?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.SignInAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });

        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.Configure<FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = MaxRequestBodyBytes;
            o.ValueLengthLimit = (int)MaxRequestBodyBytes;
            o.ValueCountLimit = 256;
        });
        return services;
    }

    /// <summary>
    /// Bearer for the JSON API; the proxy's headers only from a trusted proxy address; the cookie otherwise.
    /// From any other address the proxy headers are ignored entirely (the request is judged by its cookie).
    /// </summary>
    internal static string SchemeFor(HttpContext http, AccessMode mode)
    {
        if ((http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || http.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
            && http.Request.Headers.Authorization.ToString().StartsWith(ApiTokenAuthentication.BearerPrefix, StringComparison.OrdinalIgnoreCase))
            return AccessSchemes.ApiToken;
        if (mode.Settings.Proxy.IsEnabled && mode.IsTrustedProxy(http.Connection.RemoteIpAddress)
            && !string.IsNullOrWhiteSpace(http.Request.Headers[mode.Settings.Proxy.UserHeader]))
            return AccessSchemes.TrustedProxy;
        return AccessSchemes.Cookie;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions o, AccessSettings settings)
    {
        o.Cookie.Name = ".zkd.session";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = settings.SessionLifetime;
        o.SlidingExpiration = true;
        o.LoginPath = SignInEndpoints.SignInPage;
        o.ReturnUrlParameter = "returnUrl";
        o.Events.OnValidatePrincipal = SessionValidation.ValidateAsync;
        o.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized, "Sign in first.");
        o.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden, "Your role does not allow this.");
    }

    /// <summary>A page read in the browser goes to the sign-in form; anything else (API, a circuit's hub, a POST) gets the bare status.</summary>
    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status, string message)
    {
        var request = context.Request;
        var pageRead = HttpMethods.IsGet(request.Method)
            && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && !request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
            && !request.Path.StartsWithSegments(StateChangeGuard.CircuitPrefix, StringComparison.OrdinalIgnoreCase);
        if (pageRead && status == StatusCodes.Status401Unauthorized)
        {
            // The handler builds an absolute URL from the request's Host; a relative one never echoes a foreign host.
            var target = Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : context.RedirectUri;
            context.Response.Redirect(target);
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        // A page read that is forbidden gets the status page (re-executed); other requests get a short text.
        return pageRead ? Task.CompletedTask : context.Response.WriteAsync(message, context.Request.HttpContext.RequestAborted);
    }

    /// <summary>
    /// Nothing the app itself answers (API, pages, downloads, exports, the audit CSV, metrics) is kept by a browser
    /// or a shared cache; static files are served before this and keep their own caching.
    /// </summary>
    private static Task NoStore(HttpContext http, RequestDelegate next)
    {
        http.Response.OnStarting(() =>
        {
            if (!http.Response.Headers.ContainsKey("Cache-Control")) http.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(http);
    }

    public static WebApplication UseDashboardAccess(this WebApplication app)
    {
        var mode = app.Services.GetRequiredService<AccessMode>();
        app.Use(BadInputAnswers.HandleAsync);
        app.Use(NoStore);
        app.Use((http, next) => ForwardedClients.ApplyAsync(http, next, mode));
        app.UseRouting();
        app.Use(StateChangeGuard.AnswerChangesWithBareStatus);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseMiddleware<StateChangeGuard>();
        app.MapSignIn();
        app.MapAdmin();
        return app;
    }
}
