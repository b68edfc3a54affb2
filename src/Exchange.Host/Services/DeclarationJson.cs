using System.Text.Encodings.Web;
using System.Text.Json;
using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;

namespace Exchange.Host.Services;

/// <summary>
/// The public notice as machine-readable JSON (the same as <see cref="DeclarationPage"/>): every
/// version, oldest first, each with its state (<c>in-force</c>, <c>upcoming</c>, <c>past</c>), times,
/// hash and full content in Japanese and English, field names as in <c>declaration.proto</c>.
/// </summary>
internal static class DeclarationJson
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<IResult> RenderAsync(DeclarationRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var notice = PublicNotice.Of(await registry.ListAsync(cancellationToken).ConfigureAwait(false), time.GetUtcNow());
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("generated_at", notice.At.UtcDateTime);
            if (notice.InForce is { } inForce)
            {
                json.WriteNumber("in_force_version", inForce.Version);
            }
            else
            {
                json.WriteNull("in_force_version");
            }

            json.WriteStartArray("upcoming_versions");
            foreach (var upcoming in notice.Upcoming)
            {
                json.WriteNumberValue(upcoming.Version);
            }

            json.WriteEndArray();
            json.WriteStartArray("versions");
            foreach (var version in notice.All)
            {
                WriteVersion(json, notice, version);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Results.Bytes(buffer.ToArray(), ContentType);
    }

    private static void WriteVersion(Utf8JsonWriter json, PublicNotice notice, DeclarationRecord version)
    {
        json.WriteStartObject();
        json.WriteNumber("version", version.Version);
        json.WriteString("state", notice.StateOf(version));
        json.WriteString("published_at", version.PublishedAt.UtcDateTime);
        json.WriteString("effective_at", version.EffectiveAt.UtcDateTime);
        if (notice.EndOf(version) is { } end)
        {
            json.WriteString("superseded_at", end.UtcDateTime);
        }

        json.WriteString("hash", version.Hash);
        var content = version.Content;
        json.WriteStartObject("content");
        json.WriteStartArray("joint_users");
        foreach (var user in content.JointUsers)
        {
            json.WriteStartObject();
            Text(json, "name", user.Name);
            json.WriteString("role", user.Role);
            Text(json, "description", user.Description);
            json.WriteStartArray("party_ids");
            foreach (var id in user.PartyIds)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("items");
        foreach (var item in content.Items)
        {
            json.WriteStartObject();
            json.WriteString("id", item.Id);
            Text(json, "name", item.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("purposes");
        foreach (var purpose in content.Purposes)
        {
            json.WriteStartObject();
            json.WriteString("id", purpose.Id);
            Text(json, "description", purpose.Description);
            json.WriteBoolean("opt_out_allowed", purpose.OptOutAllowed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("manager");
        Text(json, "name", content.Manager?.Name);
        Text(json, "address", content.Manager?.Address);
        Text(json, "representative", content.Manager?.Representative);
        json.WriteEndObject();
        Text(json, "scope", content.Scope);
        if (content.Inquiry is { } inquiry)
        {
            json.WriteStartObject("inquiry");
            Text(json, "name", inquiry.Name);
            Text(json, "address", inquiry.Address);
            json.WriteString("phone", inquiry.Phone);
            json.WriteString("email", inquiry.Email);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("inquiry");
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Text(Utf8JsonWriter json, string name, LocalizedText? text)
    {
        if (text is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("ja", text.Ja);
        json.WriteString("en", text.En);
        json.WriteEndObject();
    }
}
