using Exchange.Contracts.V1;
using Exchange.Domain.Items;
using Google.Protobuf;

namespace Exchange.Domain.Tests.Items;

public sealed class RecordFieldsTests
{
    private static CustomerRecord Record()
    {
        var record = new CustomerRecord
        {
            OwnerParty = "garage-a",
            CustomerRef = "C1",
            Contact = new CustomerContact { Name = "佐藤 花子", Phone = "090-0000-0000", BirthDate = new Date { Year = 1980, Month = 1, Day = 2 } },
        };
        record.Vehicles.Add(new Vehicle { VehicleRef = "v1", MileageKm = 1000, InspectionCertificate = new InspectionCertificate { ModelCode = "X" } });
        record.Costs.Add(new CostRecord { CostRef = "c1", VehicleRef = "v1", BilledAmountYen = 5000 });
        return record;
    }

    [Fact]
    public void The_first_unknown_field_is_found_at_any_depth_except_in_messages_inspected_elsewhere()
    {
        var content = new DeclarationContent { Manager = new ResponsibleManager() }.ToByteArray();
        byte[] unknown = [0x98, 0x06, 0x05]; // field 99, varint 5
        var nested = new PublishRequest { Content = DeclarationContent.Parser.ParseFrom([.. content, .. unknown]) }.ToByteArray();
        var record = new PutCustomerRequest { Record = CustomerRecord.Parser.ParseFrom([.. Record().ToByteArray(), .. unknown]) }.ToByteArray();

        Assert.Null(RecordFields.FirstUnknownField(PublishRequest.Descriptor, new PublishRequest { Content = new DeclarationContent() }.ToByteArray(), _ => false));
        Assert.Equal("content.field 99", RecordFields.FirstUnknownField(PublishRequest.Descriptor, nested, _ => false));
        Assert.Equal("record.field 99", RecordFields.FirstUnknownField(PutCustomerRequest.Descriptor, record, _ => false));
        Assert.Null(RecordFields.FirstUnknownField(PutCustomerRequest.Descriptor, record, d => d == CustomerRecord.Descriptor));
    }

    [Fact]
    public void Items_present_are_read_from_the_schema_options()
    {
        Assert.Equal(
            ["contact.birth_date", "contact.name", "contact.phone", "cost.billed_amount", "vehicle.inspection_certificate", "vehicle.mileage"],
            RecordFields.Inspect(Record(), _ => null).Items.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Masking_keeps_allowed_items_and_keys_and_drops_emptied_containers()
    {
        var (masked, items) = RecordFields.Mask(Record(), new HashSet<string> { "contact.name", "vehicle.mileage" });

        Assert.Equal("佐藤 花子", masked.Contact.Name);
        Assert.Equal("", masked.Contact.Phone);
        Assert.Null(masked.Contact.BirthDate);
        Assert.Equal(1000, Assert.Single(masked.Vehicles).MileageKm);
        Assert.Null(masked.Vehicles[0].InspectionCertificate);
        Assert.Empty(masked.Costs);
        Assert.Equal(("garage-a", "C1"), (masked.OwnerParty, masked.CustomerRef));
        Assert.Equal("090-0000-0000", Record().Contact.Phone);
        Assert.Equal(["contact.name", "vehicle.mileage"], items.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData]
    [InlineData("contact.name")]
    [InlineData("contact.name", "contact.phone", "contact.birth_date")]
    [InlineData("vehicle.mileage")]
    [InlineData("vehicle.inspection_certificate", "cost.billed_amount")]
    [InlineData("contact.name", "vehicle.mileage", "vehicle.inspection_certificate", "cost.billed_amount", "contact.phone", "contact.birth_date")]
    public void Decoding_masked_gives_what_masking_the_decoded_record_gives(params string[] allowed)
    {
        var items = allowed.ToHashSet(StringComparer.Ordinal);

        var (expected, expectedItems) = RecordFields.Mask(Record(), items);
        var (decoded, decodedItems) = RecordFields.DecodeMasked<CustomerRecord>(Record().ToByteArray(), items);

        Assert.Equal(expected, decoded);
        Assert.Equal(expectedItems.Order(StringComparer.Ordinal), decodedItems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Decoding_masked_leaves_the_fields_holding_no_allowed_item_undecoded()
    {
        // A vehicle whose vehicle_ref is not UTF-8: decoding it fails.
        var vehicle = new byte[] { 0x0A, 0x01, 0xFF };
        var record = new CustomerRecord { CustomerRef = "C1", Contact = new CustomerContact { Name = "佐藤 花子" } }.ToByteArray()
            .Concat(new byte[] { 0x22, (byte)vehicle.Length }).Concat(vehicle).ToArray();
        Assert.ThrowsAny<Exception>(() => CustomerRecord.Parser.ParseFrom(record));

        var (decoded, items) = RecordFields.DecodeMasked<CustomerRecord>(record, new HashSet<string> { "contact.name" });

        Assert.Equal("佐藤 花子", decoded.Contact.Name);
        Assert.Empty(decoded.Vehicles);
        Assert.Equal(["contact.name"], items);
    }

    [Fact]
    public void Decoding_masked_drops_fields_the_schema_does_not_know_at_any_depth()
    {
        var contact = new CustomerContact { Name = "佐藤 花子" }.ToByteArray().Concat(new byte[] { 0xF8, 0x07, 0x2A }).ToArray();
        var record = new CustomerRecord { CustomerRef = "C1" }.ToByteArray()
            .Concat(new byte[] { 0xF8, 0x07, 0x2A })
            .Concat(new byte[] { (byte)((CustomerRecord.ContactFieldNumber << 3) | 2), (byte)contact.Length }).Concat(contact).ToArray();
        Assert.True(RecordFields.Inspect(CustomerRecord.Parser.ParseFrom(record), _ => null).HasUnknownFields);

        var (decoded, _) = RecordFields.DecodeMasked<CustomerRecord>(record, new HashSet<string> { "contact.name" });

        Assert.False(RecordFields.Inspect(decoded, _ => null).HasUnknownFields);
        Assert.Equal(new CustomerRecord { CustomerRef = "C1", Contact = new CustomerContact { Name = "佐藤 花子" } }, decoded);
    }

    [Fact]
    public void Unknown_fields_are_detected_at_any_depth()
    {
        var record = Record();
        Assert.False(RecordFields.Inspect(record, _ => null).HasUnknownFields);

        var vehicleBytes = record.Vehicles[0].ToByteArray().Concat(new byte[] { 0xF8, 0x07, 0x2A }).ToArray();
        record.Vehicles[0] = Vehicle.Parser.ParseFrom(vehicleBytes);

        Assert.True(RecordFields.Inspect(record, _ => null).HasUnknownFields);
    }

    [Fact]
    public void A_known_field_number_in_an_encoding_the_schema_does_not_give_it_is_an_unknown_field()
    {
        // customer_ref (2) as a varint: the parser keeps it as an unknown field, and so it is stored.
        var record = CustomerRecord.Parser.ParseFrom(Record().ToByteArray().Concat(new byte[] { 0x10, 0x01 }).ToArray());

        Assert.True(RecordFields.Inspect(record, _ => null).HasUnknownFields);
    }

    [Fact]
    public void An_unknown_group_is_skipped_whole_and_the_fields_after_it_are_still_inspected()
    {
        // Field 900 as a group holding a varint and a string, then contact.name.
        byte[] group = [0xA3, 0x38, 0x08, 0x01, 0x12, 0x01, 0x41, 0xA4, 0x38];
        var contact = new CustomerContact { Name = "佐藤 花子" }.ToByteArray();
        var data = group.Concat(new byte[] { (byte)((CustomerRecord.ContactFieldNumber << 3) | 2), (byte)contact.Length }).Concat(contact).ToArray();

        var inspection = RecordFields.Inspect(CustomerRecord.Descriptor, data, _ => null);

        Assert.True(inspection.HasUnknownFields);
        Assert.Equal(["contact.name"], inspection.Items);
    }

    [Fact]
    public void A_message_set_without_content_still_counts_as_its_item()
    {
        var record = new CustomerRecord { CustomerRef = "C1", Contact = new CustomerContact { Address = new PostalAddress() } };

        Assert.Equal(["contact.address"], RecordFields.Inspect(record, _ => null).Items);
    }

    [Fact]
    public void A_cut_encoding_is_refused_rather_than_half_inspected()
    {
        var data = Record().ToByteArray();

        Assert.Throws<InvalidDataException>(() => RecordFields.Inspect(CustomerRecord.Descriptor, data.AsSpan(0, data.Length - 3), _ => null));
    }

    [Fact]
    public void Inspection_finds_the_items_and_names_the_first_objectionable_string_by_its_path()
    {
        var record = Record();

        var clean = RecordFields.Inspect(record, _ => null);
        var flagged = RecordFields.Inspect(record, text => text == "X" ? "is a placeholder" : null);

        Assert.Equal(["contact.birth_date", "contact.name", "contact.phone", "cost.billed_amount", "vehicle.inspection_certificate", "vehicle.mileage"], clean.Items.Order(StringComparer.Ordinal));
        Assert.Null(clean.Problem);
        Assert.Equal(("vehicles.inspection_certificate.model_code", "is a placeholder"), flagged.Problem);
    }

    [Theory]
    [InlineData("ブレーキ交換", null)]
    [InlineData("持病の病歴あり", "持病")]
    [InlineData("Customer's religion noted", "religion")]
    public void Sensitive_terms_in_free_text_are_found(string text, string? term) =>
        Assert.Equal(term, SensitiveTextScreen.FindSensitiveTerm(text));
}
