using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Google.Protobuf.Reflection;

namespace Exchange.Domain.Tests.Items;

public sealed class ItemCatalogTests
{
    private static readonly HashSet<string> Keys = ["owner_party", "customer_ref", "vehicle_ref", "order_ref", "cost_ref"];

    [Fact]
    public void Schema_defines_exactly_the_items_of_the_kaminoyama_declaration()
    {
        var declared = DefaultDeclaration.Kaminoyama().Items.Select(i => i.Id).Order(StringComparer.Ordinal);

        Assert.Equal(declared, ItemCatalog.CustomerRecords.Items.Order(StringComparer.Ordinal));
        Assert.Equal(21, ItemCatalog.CustomerRecords.Items.Count);
        Assert.Equal(["contact", "cost", "repair", "vehicle"], ItemCatalog.CustomerRecords.Groups.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_record_field_holding_data_names_its_item_or_is_a_key()
    {
        var unnamed = new List<string>();
        Walk(CustomerRecord.Descriptor, insideItem: false, unnamed, []);

        Assert.Empty(unnamed);
    }

    [Fact]
    public void Groups_expand_and_unknown_names_are_reported()
    {
        Assert.True(ItemCatalog.CustomerRecords.TryExpand(["cost", "contact.phone"], out var items, out _));
        Assert.Equal(["contact.phone", "cost.billed_amount", "cost.estimate_date", "cost.sales_date"], items.Order(StringComparer.Ordinal));

        Assert.False(ItemCatalog.CustomerRecords.TryExpand(["contact.religion"], out _, out var unknown));
        Assert.Equal("contact.religion", unknown);
    }

    private static void Walk(MessageDescriptor message, bool insideItem, List<string> unnamed, HashSet<string> seen)
    {
        if (!seen.Add(message.FullName))
        {
            return;
        }

        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            var item = ItemCatalog.ItemOf(field);
            if (field.FieldType == FieldType.Message)
            {
                Walk(field.MessageType, insideItem || item is not null, unnamed, [.. seen]);
            }
            else if (item is null && !insideItem && !Keys.Contains(field.Name))
            {
                unnamed.Add(field.FullName);
            }
        }
    }
}
