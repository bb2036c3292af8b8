using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Replicas;

/// <summary>
/// A cluster's history write made under lease epoch <paramref name="Epoch"/>: it lands only if that lease is
/// still this holder's. The lease row is read <c>FOR SHARE</c>, so a takeover (which updates the row) waits for
/// this transaction, and no write of the old holder can land after the new one began: never two writers. The verdict
/// is read once per lease and transaction: the row stays locked until the commit, so later writes of the same
/// batch under the same lease need no second read (a batch holds hundreds of one cluster's writes).
/// </summary>
public sealed record FencedWrite(string ClusterId, string Holder, long Epoch, HistoryWrite Inner) : HistoryWrite
{
    private static long _fenced;
    private static readonly ConditionalWeakTable<DbTransaction, Dictionary<(string, string, long), bool>> Verdicts = [];

    /// <summary>Writes refused because their lease had passed to another replica (for tests and status).</summary>
    public static long FencedCount => Interlocked.Read(ref _fenced);

    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql)
    {
        var verdicts = Verdicts.GetOrCreateValue(transaction);
        if (!verdicts.TryGetValue((ClusterId, Holder, Epoch), out var held))
            verdicts[(ClusterId, Holder, Epoch)] = held = connection.ExecuteScalar<long?>(
                "SELECT epoch FROM cluster_leases WHERE cluster_id = @ClusterId AND holder = @Holder AND epoch = @Epoch FOR SHARE",
                new { ClusterId, Holder, Epoch }, transaction) is not null;
        if (!held)
        {
            Interlocked.Increment(ref _fenced);
            return;
        }
        Inner.Apply(connection, transaction, sql);
    }
}
