using System.Runtime.InteropServices;
using System.Text;

namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>A GSSAPI call failed; the message is the library's own major and minor status text.</summary>
public sealed class GssapiException(string message) : Exception(message);

/// <summary>
/// The few calls of the system's GSSAPI library (MIT krb5's <c>libgssapi_krb5.so.2</c>) that Kerberos SASL needs.
/// Bound at run time rather than with DllImport, so a machine without the library gets a sentence saying what to
/// install instead of a DllNotFoundException. <c>gss_acquire_cred_from</c> (an MIT krb5 extension, since 1.11)
/// takes the keytab and the credential cache per credential, so clusters with different principals and keytabs
/// live side by side in one process without touching its environment.
/// </summary>
internal static unsafe class Gssapi
{
    public const string LibraryName = "libgssapi_krb5.so.2";
    public const string Needed = "Kerberos needs MIT's GSSAPI library (libgssapi_krb5.so.2, Debian/Ubuntu package libgssapi-krb5-2, RHEL krb5-libs)";

    private const uint Complete = 0;
    private const int GssCode = 1;
    private const int MechCode = 2;
    private const int Initiate = 1;
    private const uint Indefinite = 0xffffffff;
    public const uint MutualFlag = 2;
    public const uint IntegrityFlag = 32;

    // OIDs in DER (RFC 2743 / RFC 1964): GSS_C_NT_HOSTBASED_SERVICE, GSS_KRB5_NT_PRINCIPAL_NAME, the krb5 mechanism.
    private static readonly nint HostBasedService = Oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x01, 0x04]);
    private static readonly nint Krb5PrincipalName = Oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01]);
    private static readonly nint Krb5Mechanism = Oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);

    private static readonly Lazy<(Functions? Functions, string? Error)> Bound = new(() => Bind(LibraryName));

    [StructLayout(LayoutKind.Sequential)]
    internal struct Buffer { public nuint Length; public nint Value; }

    [StructLayout(LayoutKind.Sequential)]
    private struct OidDesc { public uint Length; public nint Elements; }

    [StructLayout(LayoutKind.Sequential)]
    private struct OidSet { public nuint Count; public nint Elements; }

    [StructLayout(LayoutKind.Sequential)]
    private struct KeyValue { public nint Key; public nint Value; }

    [StructLayout(LayoutKind.Sequential)]
    private struct KeyValueSet { public uint Count; public KeyValue* Elements; }

    private sealed class Functions
    {
        public delegate* unmanaged<uint*, Buffer*, nint, nint*, uint> ImportName;
        public delegate* unmanaged<uint*, nint, uint, OidSet*, int, KeyValueSet*, nint*, nint, nint, uint> AcquireCredFrom;
        public delegate* unmanaged<uint*, nint, nint*, nint, nint, uint, uint, nint, Buffer*, nint, Buffer*, uint*, nint, uint> InitSecContext;
        public delegate* unmanaged<uint*, nint, int, uint, Buffer*, int*, Buffer*, uint> Wrap;
        public delegate* unmanaged<uint*, nint, Buffer*, Buffer*, int*, uint*, uint> Unwrap;
        public delegate* unmanaged<uint*, uint, int, nint, uint*, Buffer*, uint> DisplayStatus;
        public delegate* unmanaged<uint*, Buffer*, uint> ReleaseBuffer;
        public delegate* unmanaged<uint*, nint*, uint> ReleaseName;
        public delegate* unmanaged<uint*, nint*, uint> ReleaseCred;
        public delegate* unmanaged<uint*, nint*, nint, uint> DeleteSecContext;
    }

    /// <summary>Null when the library is there; else what is missing, as a sentence for the cluster's error.</summary>
    public static string? Unavailable => Bound.Value.Error;

    private static Functions F => Bound.Value.Functions ?? throw new GssapiException(Bound.Value.Error!);

    /// <summary>What binding <paramref name="library"/> says when it is absent or lacks a call; null when it binds.</summary>
    internal static string? Probe(string library) => Bind(library).Error;

    private static (Functions? Functions, string? Error) Bind(string libraryName)
    {
        if (!NativeLibrary.TryLoad(libraryName, out var library))
            return (null, $"{Needed}; {libraryName} is not installed here.");
        nint Get(string name) => NativeLibrary.TryGetExport(library, name, out var address) ? address
            : throw new GssapiException($"{Needed}; the {libraryName} found has no {name}.");
        try
        {
            return (new Functions
            {
                ImportName = (delegate* unmanaged<uint*, Buffer*, nint, nint*, uint>)Get("gss_import_name"),
                AcquireCredFrom = (delegate* unmanaged<uint*, nint, uint, OidSet*, int, KeyValueSet*, nint*, nint, nint, uint>)Get("gss_acquire_cred_from"),
                InitSecContext = (delegate* unmanaged<uint*, nint, nint*, nint, nint, uint, uint, nint, Buffer*, nint, Buffer*, uint*, nint, uint>)Get("gss_init_sec_context"),
                Wrap = (delegate* unmanaged<uint*, nint, int, uint, Buffer*, int*, Buffer*, uint>)Get("gss_wrap"),
                Unwrap = (delegate* unmanaged<uint*, nint, Buffer*, Buffer*, int*, uint*, uint>)Get("gss_unwrap"),
                DisplayStatus = (delegate* unmanaged<uint*, uint, int, nint, uint*, Buffer*, uint>)Get("gss_display_status"),
                ReleaseBuffer = (delegate* unmanaged<uint*, Buffer*, uint>)Get("gss_release_buffer"),
                ReleaseName = (delegate* unmanaged<uint*, nint*, uint>)Get("gss_release_name"),
                ReleaseCred = (delegate* unmanaged<uint*, nint*, uint>)Get("gss_release_cred"),
                DeleteSecContext = (delegate* unmanaged<uint*, nint*, nint, uint>)Get("gss_delete_sec_context"),
            }, null);
        }
        catch (GssapiException e)
        {
            return (null, e.Message);
        }
    }

    private static nint Oid(byte[] der)
    {
        // Lives as long as the process: GSSAPI keeps pointers to the OIDs it is given.
        var elements = Marshal.AllocHGlobal(der.Length);
        Marshal.Copy(der, 0, elements, der.Length);
        var oid = (OidDesc*)Marshal.AllocHGlobal(sizeof(OidDesc));
        *oid = new OidDesc { Length = (uint)der.Length, Elements = elements };
        return (nint)oid;
    }

    /// <summary><c>service@host</c>, the form GSSAPI names a host's service in (it maps to <c>service/host@REALM</c>).</summary>
    public static nint ImportHostService(string service, string host) => Import($"{service}@{host}", HostBasedService);

    /// <summary>A Kerberos principal, <c>name[/instance]@REALM</c>.</summary>
    public static nint ImportPrincipal(string principal) => Import(principal, Krb5PrincipalName);

    private static nint Import(string text, nint type)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
        {
            var buffer = new Buffer { Length = (nuint)bytes.Length, Value = (nint)p };
            uint minor;
            nint name;
            var major = F.ImportName(&minor, &buffer, type, &name);
            Check(major, minor, $"the name '{text}'");
            return name;
        }
    }

    /// <summary>
    /// Initiator credentials for <paramref name="principal"/>: tickets from <paramref name="ccache"/>, or, when it has
    /// none (or they expired), new ones obtained with the key in <paramref name="clientKeytab"/>.
    /// </summary>
    public static nint AcquireCredentials(nint principal, string clientKeytab, string ccache)
    {
        var keys = new[] { Marshal.StringToCoTaskMemUTF8("client_keytab"), Marshal.StringToCoTaskMemUTF8(clientKeytab), Marshal.StringToCoTaskMemUTF8("ccache"), Marshal.StringToCoTaskMemUTF8(ccache) };
        try
        {
            var elements = stackalloc KeyValue[2];
            elements[0] = new KeyValue { Key = keys[0], Value = keys[1] };
            elements[1] = new KeyValue { Key = keys[2], Value = keys[3] };
            var store = new KeyValueSet { Count = 2, Elements = elements };
            var mechs = new OidSet { Count = 1, Elements = Krb5Mechanism };
            uint minor;
            nint credential;
            var major = F.AcquireCredFrom(&minor, principal, Indefinite, &mechs, Initiate, &store, &credential, 0, 0);
            Check(major, minor, "acquiring credentials");
            return credential;
        }
        finally
        {
            foreach (var key in keys) Marshal.FreeCoTaskMem(key);
        }
    }

    /// <summary>One step of <c>gss_init_sec_context</c>; true when the context is established.</summary>
    public static bool InitSecContext(nint credential, ref nint context, nint target, uint flags, ReadOnlySpan<byte> input, out byte[] output)
    {
        fixed (byte* p = input)
        {
            var inBuffer = new Buffer { Length = (nuint)input.Length, Value = (nint)p };
            var outBuffer = default(Buffer);
            uint minor, returned;
            nint ctx = context;
            var major = F.InitSecContext(&minor, credential, &ctx, target, Krb5Mechanism, flags, 0, 0, input.IsEmpty ? null : &inBuffer, 0, &outBuffer, &returned, 0);
            context = ctx;
            output = TakeBuffer(&outBuffer);
            Check(major, minor, "the Kerberos exchange");
            return major == Complete;
        }
    }

    /// <summary>A message with integrity protection (and encryption when asked), for the peer to unwrap.</summary>
    public static byte[] Wrap(nint context, ReadOnlySpan<byte> message, bool encrypt)
    {
        fixed (byte* p = message)
        {
            var input = new Buffer { Length = (nuint)message.Length, Value = (nint)p };
            var output = default(Buffer);
            uint minor;
            int encrypted;
            var major = F.Wrap(&minor, context, encrypt ? 1 : 0, 0, &input, &encrypted, &output);
            var bytes = TakeBuffer(&output);
            Check(major, minor, "wrapping the security-layer answer");
            return bytes;
        }
    }

    /// <summary>The peer's wrapped message, checked for integrity.</summary>
    public static byte[] Unwrap(nint context, ReadOnlySpan<byte> message)
    {
        fixed (byte* p = message)
        {
            var input = new Buffer { Length = (nuint)message.Length, Value = (nint)p };
            var output = default(Buffer);
            uint minor, qop;
            int encrypted;
            var major = F.Unwrap(&minor, context, &input, &output, &encrypted, &qop);
            var bytes = TakeBuffer(&output);
            Check(major, minor, "unwrapping the server's security-layer offer");
            return bytes;
        }
    }

    public static void ReleaseName(ref nint name)
    {
        if (name == 0) return;
        uint minor;
        nint n = name;
        F.ReleaseName(&minor, &n);
        name = 0;
    }

    public static void ReleaseCredentials(ref nint credential)
    {
        if (credential == 0) return;
        uint minor;
        nint c = credential;
        F.ReleaseCred(&minor, &c);
        credential = 0;
    }

    public static void DeleteContext(ref nint context)
    {
        if (context == 0) return;
        uint minor;
        nint c = context;
        F.DeleteSecContext(&minor, &c, 0);
        context = 0;
    }

    private static byte[] TakeBuffer(Buffer* buffer)
    {
        if (buffer->Value == 0) return [];
        var bytes = new ReadOnlySpan<byte>((void*)buffer->Value, checked((int)buffer->Length)).ToArray();
        uint minor;
        F.ReleaseBuffer(&minor, buffer);
        return bytes;
    }

    private static void Check(uint major, uint minor, string what)
    {
        // GSS_ERROR: a calling error (top byte) or a routine error (next byte); the low bits are informational.
        if ((major & 0xffff0000) == 0) return;
        var text = Describe(major, GssCode, 0);
        var detail = minor != 0 ? Describe(minor, MechCode, Krb5Mechanism) : "";
        throw new GssapiException(detail.Length > 0 && detail != text ? $"{what}: {text}: {detail}" : $"{what}: {text}");
    }

    private static string Describe(uint status, int type, nint mechanism)
    {
        var parts = new List<string>();
        uint context = 0;
        do
        {
            uint minor;
            var text = default(Buffer);
            if (F.DisplayStatus(&minor, status, type, mechanism, &context, &text) != Complete) break;
            var bytes = TakeBuffer(&text);
            var part = Encoding.UTF8.GetString(bytes).TrimEnd('\0', '.', ' ');
            if (part.Length > 0) parts.Add(part);
        }
        while (context != 0 && parts.Count < 4);
        return string.Join("; ", parts);
    }
}
