using Dashboard.Access;
using System.Text;
using Dashboard.Components.Znodes;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using System.Text.RegularExpressions;

namespace Dashboard.Znodes;

/// <summary>
/// The znode endpoints over HTTP: the JSON API, downloads, the streaming export, and the change endpoints for
/// scripts (thin wrappers over <see cref="ZnodeWriteService"/>, which checks the role and audits).
/// </summary>
internal static class ZnodeEndpoints
{
    public static void MapZnodes(this IEndpointRouteBuilder app, ZnodeOptions options)
    {
        app.MapGet("/api/clusters/{id}/znodes", GetNodeAsync);

        var reads = app.MapGroup("/clusters/{id}/znodes");
        reads.MapGet("/download", DownloadAsync);
        reads.MapGet("/export", ExportAsync);

        // Changes over HTTP (scripts, tests): thin wrappers over ZnodeWriteService, which checks the role and
        // audits, as it does for the page's circuit. The size limit bounds what a form may carry.
        var writes = app.MapGroup("/clusters/{id}/znodes")
            .WithMetadata(new RequestSizeLimitAttribute(options.MaxRequestBytes));
        writes.MapPost("/set-data", SetDataAsync);
        writes.MapPost("/create", CreateAsync);
        writes.MapPost("/delete", DeleteAsync);
        writes.MapPost("/delete-recursive", DeleteRecursiveAsync);
        writes.MapPost("/set-acl", SetAclAsync);
        writes.MapPost("/import", ImportAsync);
    }

    private static async Task<IResult> GetNodeAsync(string id, string? path, int? offset, int? limit, string? filter, string? sort, bool? desc,
        ZnodeBrowser browser, CancellationToken cancellationToken)
    {
        var load = await browser.LoadAsync(id, path, ZnodeQuery.Children(offset, limit, filter, sort, desc), cancellationToken);
        if (load.Snapshot is { } node) return TypedResults.Ok(ZnodeApiNode.From(id, node));
        var status = load.ProblemKind switch
        {
            ZnodeProblemKind.InvalidPath or ZnodeProblemKind.BadPattern => StatusCodes.Status400BadRequest,
            ZnodeProblemKind.NotAuthorized => StatusCodes.Status403Forbidden,
            ZnodeProblemKind.UnknownCluster or ZnodeProblemKind.NoNode => StatusCodes.Status404NotFound,
            ZnodeProblemKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status502BadGateway,
        };
        return TypedResults.Problem(detail: load.Problem, statusCode: status);
    }

    /// <summary>The HTTP status that tells a failed znode request's cause: refusals and bad input are not gateway failures.</summary>
    internal static int StatusOf(Exception e) => e switch
    {
        NoAuthException or AuthFailedException => StatusCodes.Status403Forbidden,
        NoNodeException => StatusCodes.Status404NotFound,
        BadVersionException or NodeExistsException or NotEmptyException => StatusCodes.Status409Conflict,
        ArgumentException or RegexMatchTimeoutException or InvalidAclException or NoChildrenForEphemeralsException => StatusCodes.Status400BadRequest,
        RequestTooLargeException => StatusCodes.Status413PayloadTooLarge,
        ReplyTooLargeException => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    private static Task<IResult> DownloadAsync(HttpContext http, string id, string? path, ZnodeBrowser browser) =>
        ReadFragmentAsync(browser, id, path, http, async (client, p, ct) =>
            Results.File((await client.GetDataAsync(p, null, ct)).Data, "application/octet-stream", FileName(p, ".bin")));

    /// <summary>
    /// Streams the export to the response as it reads the subtree (memory bounded by a batch of values). The walk
    /// runs before the first byte, so a missing root or a refused subtree is still a plain error answer.
    /// </summary>
    private static async Task ExportAsync(HttpContext http, string id, string? path, ZnodeBrowser browser, TimeProvider time)
    {
        var p = ZnodeBrowser.NormalizePath(path);
        if (!ZooKeeperPath.IsValid(p))
        {
            await ZnodeResults.Message(PathProblem(p), StatusCodes.Status400BadRequest).ExecuteAsync(http);
            return;
        }
        try
        {
            await browser.RunAsync(id, async (client, ct) =>
            {
                // Checked before the headers go out: the walk inside the export would say the same, too late for a status.
                if (await client.ExistsAsync(p, null, ct) is null) throw new NoNodeException(p);
                http.Response.ContentType = "application/json";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(p, ".export.json")}\"";
                return await SubtreeTransfer.ExportAsync(client, p, time.GetUtcNow(), http.Response.Body, ct);
            }, http.RequestAborted, TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (browser.IsExpected(e, http.RequestAborted))
        {
            if (http.Response.HasStarted) throw;
            http.Response.Headers.ContentDisposition = default;
            await ZnodeResults.Message(ZnodeErrors.Describe(e), StatusOf(e), "danger").ExecuteAsync(http);
        }
    }

    /// <summary>
    /// Saves a value on the node that was read (version and czxid from the form). The form says how its field is
    /// encoded (text with the value's line ending restored, base64 or hex) and whether the value is null.
    /// </summary>
    private static Task<IResult> SetDataAsync(HttpContext http, string id, [FromForm] string path, [FromForm] int version, [FromForm] long? czxid,
        [FromForm] string? encoding, [FromForm] string? lineEndings, [FromForm(Name = "null")] string? isNull, [FromForm] string? data, ZnodeWriteService writes, ZnodeWriteGate gate)
    {
        // A refused person gets the refusal (from the service, which audits it), not a remark on the form.
        if (czxid is null && gate.Refusal(http.User) is null)
            return Task.FromResult<IResult>(ZnodeResults.Message("The form does not say which node was read (czxid); reload the page and edit again. Nothing was written.", StatusCodes.Status400BadRequest));
        byte[]? bytes;
        var how = ZnodeTextEditing.ParseEncoding(encoding);
        try
        {
            bytes = ZnodeTextEditing.FromForm(data, how, ZnodeTextEditing.ParseLineEnding(lineEndings), isNull is "on" or "true");
        }
        catch (FormatException)
        {
            return Task.FromResult<IResult>(ZnodeResults.Message($"The data is not valid {how.ToString().ToLowerInvariant()}; nothing was written.", StatusCodes.Status400BadRequest));
        }
        return AnswerAsync(id, writes.SetDataAsync(Actor(http), id, path, bytes, version, czxid ?? 0, http.RequestAborted));
    }

    private static Task<IResult> CreateAsync(HttpContext http, string id, [FromForm] string parent, [FromForm] string? name, [FromForm] string? mode, [FromForm] string? data, ZnodeWriteService writes)
    {
        var createMode = mode switch { "sequential" => CreateMode.PersistentSequential, "container" => CreateMode.Container, _ => CreateMode.Persistent };
        var path = ZnodeReader.ChildPath(ZnodeBrowser.NormalizePath(parent), name ?? "");
        return AnswerAsync(id, writes.CreateAsync(Actor(http), id, path, Encoding.UTF8.GetBytes(data ?? ""), createMode, http.RequestAborted));
    }

    private static Task<IResult> DeleteAsync(HttpContext http, string id, [FromForm] string path, [FromForm] int version, ZnodeWriteService writes) =>
        AnswerAsync(id, writes.DeleteAsync(Actor(http), id, path, version, http.RequestAborted));

    private static Task<IResult> DeleteRecursiveAsync(HttpContext http, string id, [FromForm] string path, [FromForm] string? confirm, [FromForm] string? fingerprint, ZnodeWriteService writes) =>
        AnswerAsync(id, writes.DeleteRecursiveAsync(Actor(http), id, path, confirm, fingerprint, http.RequestAborted));

    private static Task<IResult> SetAclAsync(HttpContext http, string id, [FromForm] string path, [FromForm] int aclVersion, [FromForm] string? acl, [FromForm] string? confirm, ZnodeWriteService writes)
    {
        IReadOnlyList<ZooKeeperAcl> parsed;
        try { parsed = ZnodeAcls.Parse(acl ?? ""); }
        catch (ArgumentException e) { return Task.FromResult<IResult>(ZnodeResults.Message(e.Message, StatusCodes.Status400BadRequest)); }
        return AnswerAsync(id, writes.SetAclAsync(Actor(http), id, path, parsed, aclVersion, confirm, http.RequestAborted), acl);
    }

    /// <summary>A dry run (a file uploaded, multipart) or the apply of a reviewed one (the export and its digest, url-encoded).</summary>
    private static async Task<IResult> ImportAsync(HttpContext http, string id, IFormCollection form, ZnodeWriteService writes, ZnodeBrowser browser)
    {
        var file = form.Files.GetFile("file");
        string? export = form["export"], target = form["target"], digest = form["digest"];
        string json;
        if (file is not null)
        {
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            json = await reader.ReadToEndAsync(http.RequestAborted);
        }
        else json = export ?? "";
        try
        {
            var parsed = SubtreeTransfer.Parse(json);
            var root = string.IsNullOrWhiteSpace(target) ? parsed.Root : target.Trim();
            var plan = await browser.RunAsync(id, (client, ct) => SubtreeTransfer.PlanAsync(client, parsed, root, ct), http.RequestAborted);
            if (file is not null || digest is null)
                return new RazorComponentResult<ZnodeImportPlanView>(new { ClusterId = id, Plan = plan });
            if (ZnodeImports.Digest(plan) != digest)
                return new RazorComponentResult<ZnodeImportPlanView>(new { ClusterId = id, Plan = plan, Note = "The tree changed since the dry run; nothing was written. Review this new dry run." });
            var (results, refused) = await writes.ImportAsync(Actor(http), id, plan, http.RequestAborted);
            if (refused is not null) return ZnodeResults.Message(refused.Problem ?? "", refused.Status, "danger");
            var single = results is [{ Change.Outcome: ZnodeChangeOutcome.Refused } only] ? only : null;
            return new RazorComponentResult<ZnodeImportOutcome>(new { Results = results }) { StatusCode = single is null ? StatusCodes.Status200OK : ZnodeWriteService.Status(single) };
        }
        catch (Exception e) when (browser.IsExpected(e, http.RequestAborted))
        {
            return ZnodeResults.Message(ZnodeErrors.Describe(e), e is ZooKeeperException or TimeoutException ? StatusOf(e) : StatusCodes.Status400BadRequest, "danger");
        }
    }

    private static ZnodeActor Actor(HttpContext http) => new(http.User, http.Connection.RemoteIpAddress?.ToString());

    /// <summary>The outcome as the HTTP answer: the outcome fragment with the status the result implies.</summary>
    private static async Task<IResult> AnswerAsync(string id, Task<ZnodeWriteAnswer> pending, string? aclText = null)
    {
        var answer = await pending;
        if (answer.Result is { } result && !answer.GateRefused)
            return new RazorComponentResult<ZnodeWriteOutcome>(new { ClusterId = id, Result = result, AclText = aclText }) { StatusCode = answer.Status };
        return ZnodeResults.Message(answer.Problem ?? "", answer.Status, "danger");
    }

    /// <summary>Validates the path, runs a read and turns failures into an in-place message.</summary>
    private static async Task<IResult> ReadFragmentAsync(ZnodeBrowser browser, string id, string? rawPath, HttpContext http,
        Func<ZooKeeperClient, string, CancellationToken, Task<IResult>> read, TimeSpan? timeout = null)
    {
        var path = ZnodeBrowser.NormalizePath(rawPath);
        if (!ZooKeeperPath.IsValid(path)) return ZnodeResults.Message(PathProblem(path), StatusCodes.Status400BadRequest);
        try
        {
            return await browser.RunAsync(id, (client, ct) => read(client, path, ct), http.RequestAborted, timeout);
        }
        catch (Exception e) when (browser.IsExpected(e, http.RequestAborted))
        {
            return ZnodeResults.Message(ZnodeErrors.Describe(e), StatusOf(e), "danger");
        }
    }

    internal static string PathProblem(string path)
    {
        try
        {
            ZooKeeperPath.Validate(path);
            return "";
        }
        catch (ArgumentException e)
        {
            return e.Message.Replace(" (Parameter 'path')", "", StringComparison.Ordinal);
        }
    }

    /// <summary>A download name from the last segment, reduced to safe characters.</summary>
    private static string FileName(string path, string extension)
    {
        var last = path == "/" ? "root" : path[(path.LastIndexOf('/') + 1)..];
        var safe = new string(last.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return (safe.Length == 0 ? "znode" : safe[..Math.Min(safe.Length, 100)]) + extension;
    }
}
