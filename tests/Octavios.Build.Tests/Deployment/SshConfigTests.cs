using Octavios.Deploy.Remote;

namespace Octavios.Build.Tests.Deployment;

/// <summary>~/.ssh/config as OpenSSH reads it: matching Host blocks in order, first value wins, IdentityFile accumulates.</summary>
public class SshConfigTests
{
    [Test]
    public void TheFirstMatchingValueWinsAndIdentitiesAccumulate()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """
            # comment
            Host prod prod-*
              HostName 10.0.0.5
              Port 2222
              IdentityFile ~/.ssh/prod_key
              ProxyJump jump@bastion.example:2200
            Host !prod-db *
              User deploy
              IdentityFile ~/.ssh/id_other
              ConnectTimeout 3
            Host *
              User nobody
              Port 22
              UserKnownHostsFile ~/.ssh/known_prod
              IdentitiesOnly yes
            Match host x
              User matched
            """);
        try
        {
            var prod = SshConfig.For("prod", path, "/home/me");
            Assert.That((prod.HostName, prod.Port, prod.User, prod.ProxyJump, prod.ConnectTimeout), Is.EqualTo(("10.0.0.5", 2222, "deploy", "jump@bastion.example:2200", 3)));
            Assert.That(prod.IdentityFiles, Is.EqualTo(new[] { "/home/me/.ssh/prod_key", "/home/me/.ssh/id_other" }));
            Assert.That((prod.UserKnownHostsFile, prod.IdentitiesOnly), Is.EqualTo(("/home/me/.ssh/known_prod", true)));
            var db = SshConfig.For("prod-db", path, "/home/me");
            Assert.That((db.HostName, db.User), Is.EqualTo(("10.0.0.5", "nobody")), "a negated pattern excludes the block");
            Assert.That(SshConfig.For("x", "/nonexistent", "/home/me"), Is.EqualTo(SshHostConfig.None));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void WhatTheConfigLeavesOutComesFromTheServerVariableOrTheDefaults()
    {
        var settings = new SshSettings(null, null, SshSettings.MaxConnectTimeout, false, ConfigFile: "/nonexistent", Home: "/home/me");
        var endpoint = SshEndpoint.Resolve(ServerAddress.Parse("ci@server.example"), settings);
        Assert.That((endpoint.Address.User, endpoint.Address.Host, endpoint.Address.Port), Is.EqualTo(("ci", "server.example", 22)));
        Assert.That(endpoint.KnownHostsFile, Is.EqualTo("/home/me/.ssh/known_hosts"));
        Assert.That(endpoint.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(4.5)));
    }
}
