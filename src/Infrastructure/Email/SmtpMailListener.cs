using System.Buffers;
using System.Net;
using Integrations.Application.Email;
using Integrations.Application.Email.Pipelines;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Integrations.Infrastructure.Email;

/// <summary>
/// The SMTP listener for self-hosters (Workers pipeline <c>email-smtp</c>, ADR 0032): SmtpServer on
/// Email:Smtp:Bind/Port. RCPT TO for anything but an active address of ours is refused (550); a
/// message over Email:Smtp:MaxMessageBytes is refused (552). A message is answered 250 only after
/// the transaction that stores it as an inbound request has committed, so an acknowledged mail is
/// never lost; a storage failure answers 451 and the sending server retries.
/// </summary>
public sealed class SmtpMailListener(EmailOptions options, MailIntake intake, ILogger<SmtpMailListener> logger) : BackgroundService
{
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The port it listens on, once it does (a configured 0 picks a free one).</summary>
    public Task<int> Port => _port.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var server = new SmtpServerOptionsBuilder()
            .ServerName(options.Smtp.ServerName)
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Parse(options.Smtp.Bind), options.Smtp.Port)))
            .MaxMessageSize(options.Smtp.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .Build();
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) =>
        {
            var port = ((IPEndPoint)e.LocalEndPoint).Port;
            logger.LogInformation("The SMTP listener takes mail for @{Domain} on port {Port}", options.InboundDomain, port);
            _port.TrySetResult(port);
        };
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new RecipientFilter(this));
        services.Add(new StoringMessageStore(this));
        try
        {
            await new SmtpServer.SmtpServer(server, services).StartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (System.Net.Sockets.SocketException e)
        {
            // The port is taken or not ours to bind: the other pipelines of the process keep running; the log says why mail is not taken.
            logger.LogError(e, "The SMTP listener cannot listen on {Bind}:{Port}; no mail is taken", options.Smtp.Bind, options.Smtp.Port);
            _port.TrySetException(e);
            return;
        }
        _port.TrySetCanceled(stoppingToken);
    }

    private MailIntake Intake => intake;

    private void StoreFailed(Exception e) => logger.LogWarning(e, "A received mail could not be stored; answered 451 so the sender retries");

    private sealed class RecipientFilter(SmtpMailListener listener) : MailboxFilter
    {
        public override async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            await listener.Intake.IsRecipientAsync(to.AsAddress(), cancellationToken);
    }

    private sealed class StoringMessageStore(SmtpMailListener listener) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            try
            {
                var accepted = await listener.Intake.AcceptAsync([.. transaction.To.Select(t => t.AsAddress())], buffer.ToArray(), cancellationToken);
                // Every recipient was revoked between RCPT TO and the end of DATA: nobody to deliver to.
                return accepted.Stored + accepted.Replayed > 0 ? SmtpResponse.Ok : SmtpResponse.MailboxUnavailable;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                listener.StoreFailed(e);
                return new SmtpResponse(SmtpReplyCode.Aborted, "Requested action aborted: local error in processing");
            }
        }
    }
}
