using Dashboard.Access;
using System.Text;
using Dashboard.Components.Znodes;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dashboard.Znodes;

/// <summary>
/// The znode endpoints: JSON API, downloads, and the htmx fragments (each a component the page also renders, so
/// there is one source of markup). Every change endpoint sits behind <see cref="ZnodeWriteGateFilter"/>.
/// </summary>
internal static class ZnodeEndpoints
{
    public static void MapZnodes(this IEndpointRouteBuilder app, ZnodeOptions options)
    {
        app.MapGet("/api/clusters/{id}/znodes", GetNodeAsync);

        var reads = app.MapGroup("/clusters/{id}/znodes").AddEndpointFilter<HtmxAnswerFilter>();
        reads.MapGet("/children", ChildrenAsync);
        reads.MapGet("/data", DataAsync);
        reads.MapGet("/tree", TreeAsync);
        reads.MapGet("/download", DownloadAsync);
        reads.MapGet("/export", ExportAsync);
        // A POST that only reads (it starts a search job): readers may use it, unlike the default for POSTs.
        reads.MapPost("/search", StartSearch).WithMetadata(new RequestSizeLimitAttribute(64 * 1024)).ReadsOnly();
        reads.MapGet("/search/{job:guid}", SearchStatus);

        // The one door for changes: the gate decides, the size limit bounds what a form may carry.
        var writes = app.MapGroup("/clusters/{id}/znodes")
            .AddEndpointFilter<HtmxAnswerFilter>()
            .AddEndpointFilter<ZnodeWriteGateFilter>()
            .WithMetadata(new RequestSizeLimitAttribute(options.MaxRequestBytes));
        writes.MapGet("/delete-recursive", RecursiveDeleteFormAsync);
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
            ZnodeProblemKind.InvalidPath => StatusCodes.Status400BadRequest,
            ZnodeProblemKind.UnknownCluster or ZnodeProblemKind.NoNode => StatusCodes.Status404NotFound,
            ZnodeProblemKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status502BadGateway,
        };
        return TypedResults.Problem(detail: load.Problem, statusCode: status);
    }

    private static async Task<IResult> ChildrenAsync(HttpContext http, string id, string? path, int? offset, int? limit, string? filter, string? sort, bool? desc,
        ZnodeBrowser browser, TimeProvider time)
    {
        var query = ZnodeQuery.Children(offset, limit, filter, sort, desc);
        return await ReadFragmentAsync(browser, id, path, http, async (client, p, ct) =>
        {
            var page = await ZnodeReader.ReadChildrenAsync(client, p, query, ct);
            http.Response.Headers["HX-Push-Url"] = ZnodeUrls.Page(id, p, query);
            return new RazorComponentResult<ZnodeChildrenTable>(new { ClusterId = id, Path = p, Page = page, Now = time.GetUtcNow() });
        });
    }

    private static Task<IResult> DataAsync(HttpContext http, string id, string? path, string? view, ZnodeBrowser browser) =>
        ReadFragmentAsync(browser, id, path, http, async (client, p, ct) =>
        {
            var data = await client.GetDataAsync(p, null, ct);
            var shown = ZnodeQuery.View(view);
            http.Response.Headers["HX-Push-Url"] = ZnodeUrls.Page(id, p, null, shown);
            return new RazorComponentResult<ZnodeDataPanel>(new { ClusterId = id, Path = p, Data = data.Data, View = shown });
        });

    private static Task<IResult> TreeAsync(HttpContext http, string id, string? path, ZnodeBrowser browser) =>
        ReadFragmentAsync(browser, id, path, http, async (client, p, ct) =>
            new RazorComponentResult<ZnodeTree>(new { ClusterId = id, CurrentPath = p, Levels = new[] { await ZnodeTreeLevel.OneAsync(client, p, ct) }, Fragment = true }));

    private static Task<IResult> DownloadAsync(HttpContext http, string id, string? path, ZnodeBrowser browser) =>
        ReadFragmentAsync(browser, id, path, http, async (client, p, ct) =>
            Results.File((await client.GetDataAsync(p, null, ct)).Data, "application/octet-stream", FileName(p, ".bin")));

    private static Task<IResult> ExportAsync(HttpContext http, string id, string? path, ZnodeBrowser browser, TimeProvider time) =>
        ReadFragmentAsync(browser, id, path, http, async (client, p, ct) =>
        {
            var export = await SubtreeTransfer.ExportAsync(client, p, time.GetUtcNow(), ct);
            var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(export, SubtreeTransfer.Json);
            return Results.File(json, "application/json", FileName(p, ".export.json"));
        }, TimeSpan.FromSeconds(60));

    private static IResult StartSearch(string id, [FromForm] string? root, [FromForm] string? pattern, ZnodeSearchJobs jobs)
    {
        var start = ZnodeBrowser.NormalizePath(root);
        if (string.IsNullOrWhiteSpace(pattern)) return ZnodeResults.Message("Give a name or path pattern to search for.");
        if (!ZooKeeperPath.IsValid(start)) return ZnodeResults.Message(PathProblem(start));
        var job = jobs.Start(id, start, pattern);
        return new RazorComponentResult<ZnodeSearchStatus>(new { ClusterId = id, Job = job });
    }

    private static IResult SearchStatus(string id, Guid job, ZnodeSearchJobs jobs) =>
        jobs.Find(job) is { } found && found.ClusterId == id
            ? new RazorComponentResult<ZnodeSearchStatus>(new { ClusterId = id, Job = found })
            : ZnodeResults.Message("This search is no longer kept; start it again.", StatusCodes.Status404NotFound);

    private static Task<IResult> RecursiveDeleteFormAsync(HttpContext http, string id, string? path, ZnodeBrowser browser) =>
        ReadFragmentAsync(browser, id, path, http, async (client, p, ct) =>
        {
            var walk = await SubtreeWalker.CollectAsync(client, p, ZnodeWriter.MaxSubtreeNodes, ct);
            return new RazorComponentResult<ZnodeRecursiveDeleteForm>(new { ClusterId = id, Path = p, Count = walk.Truncated ? ZnodeWriter.MaxSubtreeNodes : walk.Paths.Count, walk.Truncated });
        });

    private static Task<IResult> SetDataAsync(HttpContext http, string id, [FromForm] string path, [FromForm] int version, [FromForm] int? size,
        [FromForm] string? encoding, [FromForm] string? lineEndings, [FromForm] string? data, ZnodeWriteService writes)
    {
        byte[] bytes;
        try
        {
            bytes = encoding == "base64" ? Convert.FromBase64String(data ?? "")
                : Encoding.UTF8.GetBytes(lineEndings == "crlf" ? data ?? "" : (data ?? "").Replace("\r\n", "\n", StringComparison.Ordinal));
        }
        catch (FormatException)
        {
            return Task.FromResult<IResult>(ZnodeResults.Message("The data is not valid base64; nothing was written.", StatusCodes.Status400BadRequest));
        }
        return writes.RunAsync(http, id, path, (w, ct) => w.SetDataAsync(path, bytes, version, size, ct));
    }

    private static Task<IResult> CreateAsync(HttpContext http, string id, [FromForm] string parent, [FromForm] string? name, [FromForm] string? mode, [FromForm] string? data, ZnodeWriteService writes)
    {
        var createMode = mode switch { "sequential" => CreateMode.PersistentSequential, "container" => CreateMode.Container, _ => CreateMode.Persistent };
        var path = ZnodeReader.ChildPath(ZnodeBrowser.NormalizePath(parent), name ?? "");
        if (!ZooKeeperPath.IsValid(path, createMode == CreateMode.PersistentSequential)) return Task.FromResult<IResult>(ZnodeResults.Message(PathProblem(path), StatusCodes.Status400BadRequest));
        return writes.RunAsync(http, id, null, (w, ct) => w.CreateAsync(path, Encoding.UTF8.GetBytes(data ?? ""), createMode, ct));
    }

    private static Task<IResult> DeleteAsync(HttpContext http, string id, [FromForm] string path, [FromForm] int version, ZnodeWriteService writes) =>
        writes.RunAsync(http, id, path, (w, ct) => w.DeleteAsync(path, version, ct));

    private static Task<IResult> DeleteRecursiveAsync(HttpContext http, string id, [FromForm] string path, [FromForm] string? confirm, ZnodeWriteService writes) =>
        writes.RunAsync(http, id, path, (w, ct) => w.DeleteRecursiveAsync(path, confirm, ct), TimeSpan.FromSeconds(60));

    private static Task<IResult> SetAclAsync(HttpContext http, string id, [FromForm] string path, [FromForm] int aclVersion, [FromForm] string? acl, ZnodeWriteService writes)
    {
        IReadOnlyList<ZooKeeperAcl> parsed;
        try { parsed = ZnodeAcls.Parse(acl ?? ""); }
        catch (ArgumentException e) { return Task.FromResult<IResult>(ZnodeResults.Message(e.Message, StatusCodes.Status400BadRequest)); }
        return writes.RunAsync(http, id, path, (w, ct) => w.SetAclAsync(path, parsed, aclVersion, ct));
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
                return new RazorComponentResult<ZnodeImportPlanView>(new { ClusterId = id, Plan = plan, ExportJson = json });
            if (ZnodeImports.Digest(plan) != digest)
                return new RazorComponentResult<ZnodeImportPlanView>(new { ClusterId = id, Plan = plan, ExportJson = json, Note = "The tree changed since the dry run; nothing was written. Review this new dry run." });
            return await writes.ImportAsync(http, id, plan);
        }
        catch (Exception e) when (browser.IsExpected(e, http.RequestAborted))
        {
            return ZnodeResults.Message(ZnodeErrors.Describe(e), StatusCodes.Status400BadRequest, "danger");
        }
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
            return ZnodeResults.Message(ZnodeErrors.Describe(e), e is NoNodeException ? StatusCodes.Status404NotFound : StatusCodes.Status503ServiceUnavailable, "danger");
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
