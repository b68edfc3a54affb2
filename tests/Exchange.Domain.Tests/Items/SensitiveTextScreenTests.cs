using Exchange.Contracts.V1;
using Exchange.Domain.Items;
using Google.Protobuf;

namespace Exchange.Domain.Tests.Items;

/// <summary>The sensitive-data screen, a category at a time, and what garage work writes that it must let pass.</summary>
public sealed class SensitiveTextScreenTests
{
    [Theory]
    [InlineData("medical", "お客様は糖尿病のため", "糖尿病")]
    [InlineData("medical", "週3回透析に通う", "透析")]
    [InlineData("medical", "うつ病で休職中", "うつ病")]
    [InlineData("medical", "Customer was diagnosed last year", "diagnosed")]
    [InlineData("medical", "ＨＩＶ陽性", "HIV")]
    [InlineData("disability", "車いすで来店", "車いす")]
    [InlineData("disability", "障害者手帳あり", "障害者手帳")]
    [InlineData("disability", "needs a Wheelchair ramp for the owner", "wheelchair")]
    [InlineData("religion-or-creed", "創価学会の会合に行く", "創価学会")]
    [InlineData("religion-or-creed", "Customer's religion noted", "religion")]
    [InlineData("criminal-record", "飲酒運転で逮捕された", "逮捕")]
    [InlineData("criminal-record", "前科あり", "前科")]
    [InlineData("victimisation", "盗難の被害届を出した", "被害届")]
    [InlineData("victimisation", "DV被害のため連絡先非公開", "DV被害")]
    [InlineData("social-status", "本籍は山形", "本籍")]
    [InlineData("social-status", "生活保護受給中", "生活保護")]
    [InlineData("race", "民族: アイヌ", "民族")]
    [InlineData("trade-union", "労働組合の役員", "労働組合")]
    [InlineData("sex-life", "性的指向について", "性的指向")]
    public void A_term_of_each_category_is_found(string category, string text, string term)
    {
        var found = SensitiveTextScreen.Find(text);

        Assert.Equal((term, category), (found?.Term, found?.Category));
    }

    [Fact]
    public void Every_category_the_issue_names_has_terms() =>
        Assert.Superset(
            new HashSet<string> { "medical", "disability", "religion-or-creed", "criminal-record", "victimisation", "social-status", "race" },
            SensitiveTextScreen.Categories.ToHashSet());

    [Theory]
    [InlineData("ブレーキ交換")]
    [InlineData("故障診断機でエラーコード確認")]
    [InlineData("電気系統の障害を修理")]
    [InlineData("OBD diagnosis, brake fluid replaced")]
    [InlineData("brace: rear bumper bracket")]
    [InlineData("price comparison done")]
    [InlineData("協同組合の組合員価格")]
    [InlineData("タイヤの溝が浅いので交換を提案")]
    public void What_garage_work_writes_passes(string text) => Assert.Null(SensitiveTextScreen.Find(text));

    public static TheoryData<string, byte[], string?> Images => new()
    {
        { "image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], null },
        { "image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], null },
        { "image/webp", [.. "RIFF"u8.ToArray(), 0, 0, 0, 0, .. "WEBP"u8.ToArray(), 0], null },
        { "image/jpeg", [.. "%PDF-1.7"u8.ToArray()], "is not a JPEG, PNG or WebP picture (judged by its leading bytes)" },
        { "image/png", [0xFF, 0xD8, 0xFF, 0xE0], "is a image/jpeg picture labelled 'image/png'" },
        { "image/jpeg", [], "holds no data" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Vehicle_images_are_judged_by_their_leading_bytes(string contentType, byte[] data, string? problem) =>
        Assert.Equal(problem, VehicleImages.Problem(new VehicleImage { ContentType = contentType, Data = ByteString.CopyFrom(data) }));

    [Fact]
    public void A_vehicle_image_over_the_limit_is_refused() =>
        Assert.Equal("is larger than 1024 KiB", VehicleImages.Problem(new VehicleImage { ContentType = "image/jpeg", Data = ByteString.CopyFrom([0xFF, 0xD8, 0xFF, .. new byte[VehicleImages.MaxBytes]]) }));
}
