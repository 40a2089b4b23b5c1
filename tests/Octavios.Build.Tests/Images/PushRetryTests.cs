using Octavios.Deploy.Execution;
using Octavios.Deploy.Images;

namespace Octavios.Build.Tests.Images;

public class PushRetryTests
{
    [TestCase("received unexpected HTTP status: 503 Service Unavailable", PushFailure.Transient)]
    [TestCase("Put \"http://r/v2/x/blobs/uploads/\": EOF", PushFailure.Transient)]
    [TestCase("dial tcp 127.0.0.1:5000: connect: connection refused", PushFailure.Transient)]
    [TestCase("net/http: TLS handshake timeout", PushFailure.Transient)]
    [TestCase("unauthorized: authentication required", PushFailure.Unauthorized)]
    [TestCase("denied: requested access to the resource is denied insufficient_scope", PushFailure.Unauthorized)]
    [TestCase("An image does not exist locally with the tag: r/x", PushFailure.Permanent)]
    [TestCase("denied: requested access to the resource is denied", PushFailure.Permanent)]
    public void Classifies(string error, PushFailure expected) => Assert.That(PushRetry.Classify(error), Is.EqualTo(expected));

    private static (CommandResult Result, int Attempts, List<TimeSpan> Waits, int Logins) Run(Func<int, CommandResult> attempt, bool canLogin)
    {
        var attempts = 0;
        var logins = 0;
        var waits = new List<TimeSpan>();
        var pipeline = PushRetry.Pipeline(TimeSpan.FromMilliseconds(10), canLogin ? _ => { logins++; return Task.CompletedTask; } : null,
            (_, delay, _) => waits.Add(delay));
        var result = pipeline.ExecuteAsync(_ => ValueTask.FromResult(attempt(++attempts))).GetAwaiter().GetResult();
        return (result, attempts, waits, logins);
    }

    private static readonly CommandResult Ok = new(0, "0.2.3: digest: sha256:" + new string('a', 64) + " size: 527", "");
    private static readonly CommandResult Unavailable = new(1, "", "received unexpected HTTP status: 503 Service Unavailable");
    private static readonly CommandResult Expired = new(1, "", "unauthorized: authentication required");
    private static readonly CommandResult Missing = new(1, "", "An image does not exist locally with the tag: x");

    [Test]
    public void TransientFailuresRetryWithExponentialWaitsThenSucceed()
    {
        var (result, attempts, waits, _) = Run(n => n <= 2 ? Unavailable : Ok, canLogin: false);
        Assert.That(result.Succeeded, Is.True);
        Assert.That(attempts, Is.EqualTo(3));
        Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20) }));
    }

    [Test]
    public void GivesUpAfterFourRetries()
    {
        var (result, attempts, waits, _) = Run(_ => Unavailable, canLogin: false);
        Assert.That(result.Succeeded, Is.False);
        Assert.That(attempts, Is.EqualTo(1 + PushRetry.MaxRetries));
        Assert.That(waits.Select(w => w.TotalMilliseconds), Is.EqualTo(new[] { 10d, 20, 40, 80 }));
    }

    [Test]
    public void PermanentFailuresAreNotRetried() => Assert.That(Run(_ => Missing, canLogin: true).Attempts, Is.EqualTo(1));

    [Test]
    public void AnExpiredTokenLogsInAgainBeforeTheRetry()
    {
        var (result, attempts, _, logins) = Run(n => n == 1 ? Expired : Ok, canLogin: true);
        Assert.That(result.Succeeded, Is.True);
        Assert.That((attempts, logins), Is.EqualTo((2, 1)));
    }

    [Test]
    public void AnExpiredTokenWithoutCredentialsIsNotRetried() => Assert.That(Run(_ => Expired, canLogin: false).Attempts, Is.EqualTo(1));

    [Test]
    public void DigestIsReadFromPushOutput()
    {
        Assert.That(ImagePipeline.Digest(Ok.StandardOutput), Is.EqualTo("sha256:" + new string('a', 64)));
        Assert.That(ImagePipeline.Digest("nothing"), Is.Null);
    }

    [Test]
    public void ReleaseStateFollowsTheRevisionLabel()
    {
        Assert.That(ReleaseGuard.Judge(null, "abc"), Is.EqualTo(ReleaseState.New));
        Assert.That(ReleaseGuard.Judge(("sha256:1", "abc"), "abc"), Is.EqualTo(ReleaseState.AlreadyPushed));
        Assert.That(ReleaseGuard.Judge(("sha256:1", "def"), "abc"), Is.EqualTo(ReleaseState.OtherCommit));
        Assert.That(ReleaseGuard.Judge(("sha256:1", null), "abc"), Is.EqualTo(ReleaseState.OtherCommit));
    }
}
