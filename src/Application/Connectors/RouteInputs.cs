using System.Text.Json;
using FluentValidation;
using Integrations.Domain.Connectors;

namespace Integrations.Application.Connectors;

/// <summary>One condition as a request gives it; <see cref="Value"/> is any JSON value.</summary>
public sealed record RouteConditionInput(string? Path, string? Op, JsonElement? Value);

/// <summary>The shared rules of route requests, and their translation to the domain's terms.</summary>
public static class RouteInputs
{
    public const int MaxSettingsBytes = 128 * 1024;

    public static IReadOnlyList<RouteCondition> Conditions(IReadOnlyList<RouteConditionInput>? filter) =>
        (filter ?? []).Select(c => new RouteCondition(c.Path ?? "", c.Op ?? "", c.Value is { ValueKind: not JsonValueKind.Undefined } value ? value.GetRawText() : null))
        .ToList();

    public static IRuleBuilderOptions<T, JsonElement> ActionSettings<T>(this IRuleBuilder<T, JsonElement> rule) =>
        rule.Must(s => s.ValueKind is JsonValueKind.Object or JsonValueKind.Undefined).WithErrorCode("invalid_settings")
            .WithMessage("settings must be a JSON object.")
            .Must(s => s.ValueKind == JsonValueKind.Undefined || System.Text.Encoding.UTF8.GetByteCount(s.GetRawText()) <= MaxSettingsBytes)
            .WithErrorCode("invalid_settings").WithMessage($"settings may be at most {MaxSettingsBytes / 1024} KiB.");

    /// <summary>An empty object when no settings were given: the action says what it requires.</summary>
    public static JsonElement SettingsOrEmpty(JsonElement settings) =>
        settings.ValueKind == JsonValueKind.Undefined ? JsonDocument.Parse("{}").RootElement.Clone() : settings;
}
