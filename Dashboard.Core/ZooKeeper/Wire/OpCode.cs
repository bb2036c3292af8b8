namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>Request types as numbered on the wire (ZooKeeper's <c>ZooDefs.OpCode</c>).</summary>
internal enum OpCode
{
    Notification = 0,
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    GetAcl = 6,
    SetAcl = 7,
    GetChildren = 8,
    Sync = 9,
    Ping = 11,
    GetChildren2 = 12,
    Check = 13,
    Multi = 14,
    Create2 = 15,
    Reconfig = 16,
    CreateContainer = 19,
    MultiRead = 22,
    Auth = 100,
    Sasl = 102,
    SetWatches = 101,
    CloseSession = -11,
    Error = -1,
}

/// <summary>Reserved xids: replies carrying these are not answers to a numbered request.</summary>
internal static class Xids
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int Auth = -4;
    public const int SetWatches = -8;
}
