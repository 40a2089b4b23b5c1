using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace Octavios.Deploy.Remote;

/// <summary>
/// The identities of a running ssh-agent (SSH_AUTH_SOCK) as SSH.NET key sources: each signature is asked of the agent,
/// the private key never leaves it. Written by hand: SSH.NET has no agent client, and the protocol needed is two
/// messages (draft-miller-ssh-agent: REQUEST_IDENTITIES, SIGN_REQUEST).
/// </summary>
public sealed class SshAgent(string socketPath) : IPrivateKeySource
{
    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;
    private const uint RsaSha2_256 = 2;
    private const uint RsaSha2_512 = 4;

    private IReadOnlyCollection<HostAlgorithm>? _algorithms;

    /// <summary>Every identity of the agent, an RSA key offered as rsa-sha2-512 then rsa-sha2-256 (never SHA-1).</summary>
    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms => _algorithms ??= Identities()
        .SelectMany(blob => KeyType(blob) switch
        {
            "ssh-rsa" => new HostAlgorithm[] { new AgentKey(this, "rsa-sha2-512", blob, RsaSha2_512), new AgentKey(this, "rsa-sha2-256", blob, RsaSha2_256) },
            var type => [new AgentKey(this, type, blob, 0)],
        })
        .ToList();

    public int Count => HostKeyAlgorithms.Count;

    private List<byte[]> Identities()
    {
        var answer = Ask([RequestIdentities]);
        if (answer.Length == 0 || answer[0] != IdentitiesAnswer) throw new SshConnectionException($"the ssh-agent at {socketPath} did not list its keys");
        var reader = new Reader(answer, 1);
        var count = reader.UInt32();
        var keys = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.Bytes());
            reader.Bytes(); // the comment
        }

        return keys;
    }

    private byte[] Sign(byte[] blob, byte[] data, uint flags)
    {
        var request = new List<byte> { SignRequest };
        request.AddRange(String(blob));
        request.AddRange(String(data));
        request.AddRange(UInt32(flags));
        var answer = Ask(request.ToArray());
        if (answer.Length == 0 || answer[0] == Failure || answer[0] != SignResponse)
            throw new SshConnectionException($"the ssh-agent at {socketPath} refused to sign (is the key confirmed, or the token present?)");
        return new Reader(answer, 1).Bytes();
    }

    /// <summary>One request, one answer, on a connection of its own (the agent may serve others in between).</summary>
    private byte[] Ask(byte[] message)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = socket.SendTimeout = 30_000;
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        socket.Send([.. UInt32((uint)message.Length), .. message]);
        var length = BinaryPrimitives.ReadUInt32BigEndian(Receive(socket, 4));
        if (length > 256 * 1024) throw new SshConnectionException($"the ssh-agent at {socketPath} answered a message of {length} bytes");
        return Receive(socket, (int)length);
    }

    private static byte[] Receive(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = socket.Receive(buffer, read, count - read, SocketFlags.None);
            if (n == 0) throw new SshConnectionException("the ssh-agent closed the connection");
            read += n;
        }

        return buffer;
    }

    private static string KeyType(byte[] blob) => Encoding.ASCII.GetString(new Reader(blob, 0).Bytes());

    private static byte[] UInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] String(byte[] value) => [.. UInt32((uint)value.Length), .. value];

    private sealed class Reader(byte[] data, int position)
    {
        public uint UInt32()
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position, 4));
            position += 4;
            return value;
        }

        public byte[] Bytes()
        {
            var length = (int)UInt32();
            var value = data.AsSpan(position, length).ToArray();
            position += length;
            return value;
        }
    }

    /// <summary>A key held by the agent: SSH.NET offers its public blob and asks it to sign; the signature comes back whole.</summary>
    private sealed class AgentKey(SshAgent agent, string name, byte[] blob, uint flags) : HostAlgorithm(name)
    {
        public override byte[] Data => blob;

        public override byte[] Sign(byte[] data) => agent.Sign(blob, data, flags);

        public override bool VerifySignature(byte[] data, byte[] signature) => throw new NotSupportedException("an agent key only signs");
    }
}
