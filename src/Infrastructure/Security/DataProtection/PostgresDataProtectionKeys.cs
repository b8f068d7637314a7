using System.Xml.Linq;
using Integrations.Application.Common.Interfaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Integrations.Infrastructure.Security.DataProtection;

public static class DataProtectionServiceCollectionExtensions
{
    /// <summary>The application name every instance shares: payloads are bound to it (and it must not depend on the install path).</summary>
    public const string ApplicationName = "integrations";

    /// <summary>
    /// ASP.NET Core Data Protection (cookies, antiforgery tokens) with one key ring for every API
    /// instance: stored in PostgreSQL (table data_protection_keys, migration 0009), each key's secret
    /// encrypted with the platform secret protector (Secrets:EncryptionKey, ADR 0008) before it is stored.
    /// </summary>
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new PostgresXmlRepository(provider.GetRequiredService<NpgsqlDataSource>());
            options.XmlEncryptor = new SecretProtectorXmlEncryptor(provider.GetRequiredService<ISecretProtector>());
        }));
        return services;
    }
}

/// <summary>The key ring's XML elements as rows. Data Protection calls it synchronously, rarely (start-up, key creation, refresh).</summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand("select xml from data_protection_keys order by created_at, friendly_name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        // friendlyName is "key-<guid>": unique per key; instances that create keys at the same time each add their own.
        using var command = dataSource.CreateCommand("insert into data_protection_keys (friendly_name, xml) values (@name, @xml) on conflict (friendly_name) do nothing");
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}

/// <summary>Encrypts a key's secret element with <see cref="ISecretProtector"/> (AES-GCM under Secrets:EncryptionKey).</summary>
public sealed class SecretProtectorXmlEncryptor(ISecretProtector protector) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(new XElement("encryptedKey",
                new XComment(" Encrypted with the platform secret protector (Secrets:EncryptionKey). "),
                new XElement("value", protector.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting)))),
            typeof(SecretProtectorXmlDecryptor));
}

/// <summary>Created by Data Protection from the type name stored with each key (constructor taking the service provider).</summary>
public sealed class SecretProtectorXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var value = encryptedElement.Element("value")?.Value ?? throw new InvalidOperationException("The encrypted key element has no value.");
        return XElement.Parse(services.GetRequiredService<ISecretProtector>().Unprotect(value));
    }
}
