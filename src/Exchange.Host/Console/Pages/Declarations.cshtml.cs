using System.Globalization;
using Exchange.Contracts.V1;
using Exchange.Domain;
using Exchange.Domain.Declarations;
using Google.Protobuf;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Exchange.Host.Console.Pages;

/// <summary>The declaration's versions, the Art. 27(6) rules, and publishing a new version (operators).</summary>
[Authorize(Policy = ConsoleClaims.OperatorPolicy)]
internal sealed class DeclarationsModel(ConsoleCalls calls, DeclarationRegistry registry, DeclarationSettings settings, TimeProvider time) : ConsolePageModel(calls)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    public IReadOnlyList<DeclarationRecord> Versions { get; private set; } = [];

    public double NoticeDays => settings.MinimumNotice.TotalDays;

    [BindProperty]
    public string ContentJson { get; set; } = "";

    [BindProperty]
    public string EffectiveAt { get; set; } = "";

    [BindProperty]
    public bool RulesRead { get; set; }

    public async Task OnGetAsync()
    {
        await LoadAsync().ConfigureAwait(false);
        ContentJson = Versions.Count > 0 ? Formatter.Format(Versions[0].Content) : "{}";
        EffectiveAt = time.GetUtcNow().Add(settings.MinimumNotice).AddDays(1).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
    }

    public Task<IActionResult> OnPostPublishAsync() =>
        ActAsync(
            async (call, ct) =>
            {
                if (!RulesRead)
                {
                    throw new ExchangeException(FailureKind.FailedPrecondition, "規則の確認が必要です / confirm that you checked the rules");
                }

                DeclarationContent content;
                DateTimeOffset effectiveAt;
                try
                {
                    content = JsonParser.Default.Parse<DeclarationContent>(ContentJson);
                    effectiveAt = new DateTimeOffset(DateTime.ParseExact(EffectiveAt, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None), TimeSpan.Zero);
                }
                catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
                {
                    throw new ExchangeException(FailureKind.InvalidArgument, "JSON または日時が読めません / the JSON or the time cannot be read: " + e.Message);
                }

                var published = await registry.PublishAsync(call, content, effectiveAt, ct).ConfigureAwait(false);
                return $"第{published.Version}版を公表しました / Published version {published.Version}";
            },
            LoadAsync);

    private async Task LoadAsync() =>
        Versions = (await registry.ListAsync(HttpContext.RequestAborted).ConfigureAwait(false)).OrderByDescending(v => v.Version).ToList();
}
