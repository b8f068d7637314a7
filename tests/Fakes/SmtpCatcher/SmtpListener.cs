using System.Buffers;
using System.Net;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Integrations.Fakes.SmtpCatcher;

/// <summary>The SMTP side: SmtpServer on 127.0.0.1, handing every message to the <see cref="MailStore"/>.</summary>
public sealed class SmtpListener
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;

    private SmtpListener(SmtpServer.SmtpServer server, Task running, int port)
    {
        _server = server;
        _running = running;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpListener> StartAsync(MailStore store, int port, CancellationToken stopping)
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp-catcher")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        // Port 0 picks a free port; the listener factory says which one it got.
        var listeners = new EndpointListenerFactory();
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new CatchingMessageStore(store));
        var server = new SmtpServer.SmtpServer(options, services);
        var running = server.StartAsync(stopping);
        var finished = await Task.WhenAny(started.Task, running, Task.Delay(TimeSpan.FromSeconds(10), stopping));
        if (finished != started.Task)
        {
            await running;
            throw new InvalidOperationException("the SMTP server did not start listening");
        }
        return new SmtpListener(server, running, await started.Task);
    }

    public async Task StopAsync()
    {
        _server.Shutdown();
        await Task.WhenAny(_server.ShutdownTask, Task.Delay(TimeSpan.FromSeconds(5)));
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Keeps each message, unless an injected fault answers it with an SMTP error instead.</summary>
    private sealed class CatchingMessageStore(MailStore store) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (store.TakeFault() is { } fault)
            {
                return new SmtpResponse((SmtpReplyCode)fault.Code, fault.Message);
            }
            var envelopeFrom = transaction.From is { } from ? from.AsAddress() : "";
            var envelopeTo = transaction.To.Select(to => to.AsAddress()).ToList();
            await store.AddAsync(envelopeFrom, envelopeTo, buffer.ToArray(), cancellationToken);
            return SmtpResponse.Ok;
        }
    }
}
