using System.Text.Json;
using System.Text.RegularExpressions;

namespace Integrations.Domain.ProductBridge;

/// <summary>The record of the product a command is about: its type, and its id once the product has one (absent for creates).</summary>
public sealed record EntityTarget(string Type, string? Id);

/// <summary>
/// Where a command comes from: the connection (and so the provider) whose change caused it, and the
/// record at the provider (a Jira issue key, a message id), so the product can link the two.
/// </summary>
public sealed record CommandOrigin(Guid? ConnectionId, string Provider, string? ExternalReference);

/// <summary>One thing wrong with a command; <see cref="Field"/> is the path in the command's JSON (target.id, data.attributes).</summary>
public sealed record CommandProblem(string Field, string Code, string Message);

/// <summary>
/// What a command to the product may look like (docs/kafka-topics.md, integrations.product-commands.v1):
/// a name <c>{resource}.{verb}</c>, a target, data and an origin. The names in <see cref="Known"/>
/// have a documented meaning and shape; any other name that follows the naming rule may be sent
/// too, for commands a connector and the product agree on between themselves.
/// </summary>
public static partial class ProductCommandRules
{
    public const string EntityCreate = "entity.create";
    public const string EntityUpdate = "entity.update";
    public const string EntityDelete = "entity.delete";
    public const string CommentAdd = "comment.add";

    public static readonly IReadOnlyList<string> Known = [EntityCreate, EntityUpdate, EntityDelete, CommentAdd];

    public const int MaxNameLength = 100;
    public const int MaxTypeLength = 100;
    public const int MaxIdLength = 255;
    public const int MaxProviderLength = 50;
    public const int MaxExternalReferenceLength = 500;

    /// <summary>The data of one command, as UTF-8 JSON; the product reads it from one Kafka message.</summary>
    public const int MaxDataBytes = 256 * 1024;

    public static bool IsKnown(string command) => Known.Contains(command);

    /// <summary>Every problem of the command; empty when the product may be sent it.</summary>
    public static IReadOnlyList<CommandProblem> Check(string? command, EntityTarget? target, JsonElement data, CommandOrigin? origin)
    {
        var problems = new List<CommandProblem>();
        CheckName(command, problems);
        CheckTarget(command, target, problems);
        CheckData(command, data, problems);
        CheckOrigin(origin, problems);
        return problems;
    }

    private static void CheckName(string? command, List<CommandProblem> problems)
    {
        if (string.IsNullOrEmpty(command))
            problems.Add(new("command", "required", $"command is required: one of {string.Join(", ", Known)}, or a name of your own as resource.verb."));
        else if (command.Length > MaxNameLength || !Name().IsMatch(command))
            problems.Add(new("command", "invalid_command", $"command must be lower-case resource.verb (letters, digits, _; at most {MaxNameLength} characters), e.g. {EntityUpdate}."));
    }

    private static void CheckTarget(string? command, EntityTarget? target, List<CommandProblem> problems)
    {
        var creates = command == EntityCreate;
        if (target is null)
        {
            if (command is not null && IsKnown(command))
                problems.Add(new("target", "required", creates
                    ? "target is required: entity.create names the type of the record to create (target.type)."
                    : $"target is required: {command} names the record it acts on (target.type and target.id)."));
            return;
        }
        if (string.IsNullOrEmpty(target.Type)) problems.Add(new("target.type", "required", "target.type is required."));
        else if (!IsPlainText(target.Type, MaxTypeLength))
            problems.Add(new("target.type", "invalid_value", $"target.type must be 1 to {MaxTypeLength} characters without control characters."));

        if (creates && target.Id is not null)
            problems.Add(new("target.id", "not_allowed", "entity.create has no target.id: the product gives the new record its id (answer with entity.created)."));
        else if (!creates && command is not null && IsKnown(command) && string.IsNullOrEmpty(target.Id))
            problems.Add(new("target.id", "required", $"target.id is required for {command}."));
        else if (target.Id is not null && !IsPlainText(target.Id, MaxIdLength))
            problems.Add(new("target.id", "invalid_value", $"target.id must be 1 to {MaxIdLength} characters without control characters."));
    }

    private static void CheckData(string? command, JsonElement data, List<CommandProblem> problems)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("data", data.ValueKind == JsonValueKind.Undefined ? "required" : "invalid_type", "data must be a JSON object ({} when there is nothing to say)."));
            return;
        }
        var raw = data.GetRawText();
        if (System.Text.Encoding.UTF8.GetByteCount(raw) > MaxDataBytes)
        {
            problems.Add(new("data", "too_large", $"data must be at most {MaxDataBytes / 1024} KiB of JSON."));
            return;
        }
        // The command log cannot store U+0000 (PostgreSQL's jsonb refuses it), and no consumer needs it.
        if (raw.Contains("\\u0000", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new("data", "invalid_character", "data must not contain the character U+0000."));
            return;
        }
        switch (command)
        {
            case EntityCreate when !data.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Object:
                problems.Add(new("data.attributes", "required", "entity.create needs data.attributes: an object with the new record's fields."));
                break;
            case EntityUpdate when !data.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Object
                                   || !attributes.EnumerateObject().Any():
                problems.Add(new("data.attributes", "required", "entity.update needs data.attributes: an object with at least one field to set."));
                break;
            case CommentAdd when !data.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.String || body.GetString()!.Trim().Length == 0:
                problems.Add(new("data.body", "required", "comment.add needs data.body: the comment's text."));
                break;
        }
    }

    private static void CheckOrigin(CommandOrigin? origin, List<CommandProblem> problems)
    {
        if (origin is null)
        {
            problems.Add(new("origin", "required", "origin is required: the provider (and connection) the command comes from."));
            return;
        }
        if (string.IsNullOrEmpty(origin.Provider) || origin.Provider.Length > MaxProviderLength || !Provider().IsMatch(origin.Provider))
            problems.Add(new("origin.provider", "invalid_value", $"origin.provider must be a provider id: lower-case letters, digits, - and _, at most {MaxProviderLength} characters."));
        if (origin.ExternalReference is not null && !IsPlainText(origin.ExternalReference, MaxExternalReferenceLength))
            problems.Add(new("origin.external_reference", "invalid_value",
                $"origin.external_reference must be 1 to {MaxExternalReferenceLength} characters without control characters."));
    }

    /// <summary>Non-empty, at most <paramref name="max"/> characters, no control characters (they break logs, headers and keys).</summary>
    private static bool IsPlainText(string value, int max) => value.Length > 0 && value.Length <= max && !value.Any(char.IsControl);

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^[a-z][a-z0-9_-]*$")]
    private static partial Regex Provider();
}
