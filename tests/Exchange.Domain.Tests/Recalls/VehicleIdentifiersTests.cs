using Exchange.Domain.Recalls;

namespace Exchange.Domain.Tests.Recalls;

public sealed class VehicleIdentifiersTests
{
    [Theory]
    [InlineData("ZVW30-1234567", "ZVW30", 1234567)]
    [InlineData("ＺＶＷ３０－１２３４５６７", "ZVW30", 1234567)]
    [InlineData("zvw30-1234567", "ZVW30", 1234567)]
    [InlineData("ZVW30ー1234567", "ZVW30", 1234567)]
    [InlineData("ZVW30‐1234567", "ZVW30", 1234567)]
    [InlineData("ZVW30−1234567", "ZVW30", 1234567)]
    [InlineData(" ZVW30 - 1234567 ", "ZVW30", 1234567)]
    [InlineData("ＭＸＡＡ５４－４００１２３４", "MXAA54", 4001234)]
    [InlineData("JF1-0012345", "JF1", 12345)]
    [InlineData("NHP10-6-0123456", "NHP10-6", 123456)]
    [InlineData("WVWZZZ1KZ9W123456", "WVWZZZ1KZ9W", 123456)]
    [InlineData("JTDKB20U093123456", "JTDKB20U093", 123456)]
    [InlineData("DA17V123456", "DA17V", 123456)]
    public void Chassis_numbers_split_into_frame_and_serial_in_any_width_and_dash(string chassis, string frame, long serial)
    {
        Assert.True(VehicleIdentifiers.TryParseChassisNumber(chassis, out var parsedFrame, out var parsedSerial));
        Assert.Equal(frame, parsedFrame);
        Assert.Equal(serial, parsedSerial);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("ZVW30-")]
    [InlineData("-1234567")]
    [InlineData("1234567")]
    [InlineData("ZVW30-12A4567")]
    [InlineData("ZVW30-1234567890123")]
    [InlineData("ZVW30/1234567")]
    public void What_is_not_a_chassis_number_is_not_parsed(string? chassis) =>
        Assert.False(VehicleIdentifiers.TryParseChassisNumber(chassis, out _, out _));

    [Theory]
    [InlineData("DAA-ZVW30", "ZVW30")]
    [InlineData("ＤＡＡ－ＺＶＷ３０", "ZVW30")]
    [InlineData("6AA-MXAA54", "MXAA54")]
    [InlineData("zvw30", "ZVW30")]
    public void A_model_code_base_leaves_out_the_emissions_designation(string modelCode, string expected) =>
        Assert.Equal(expected, VehicleIdentifiers.ModelBase(modelCode));

    [Theory]
    [InlineData("ZVW30", "ZVW30")]
    [InlineData("ＺＶＷ３０－", "ZVW30")]
    [InlineData("zvw30 ", "ZVW30")]
    [InlineData("ZVW/30", "")]
    [InlineData("", "")]
    public void A_campaign_frame_prefix_is_normalised_as_chassis_numbers_are(string prefix, string expected) =>
        Assert.Equal(expected, VehicleIdentifiers.NormaliseFrame(prefix));
}
