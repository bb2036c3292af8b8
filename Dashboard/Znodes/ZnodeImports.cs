using System.Security.Cryptography;
using System.Text;
using Dashboard.Core.Znodes;

namespace Dashboard.Znodes;

internal static class ZnodeImports
{
    /// <summary>
    /// A fingerprint of a dry run (each path, action and the version it saw). Applying recomputes the plan and
    /// goes ahead only if the fingerprint is the same: the operator applies exactly the diff they reviewed.
    /// </summary>
    public static string Digest(ImportPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        foreach (var step in plan.Steps)
            text.Append(step.Path).Append('\0').Append(step.Action).Append('\0').Append(step.CurrentVersion).Append('\0').Append(step.CurrentAclVersion).Append('\0').Append(step.AclChanges).Append('\n');
        foreach (var problem in plan.Problems) text.Append(problem).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
