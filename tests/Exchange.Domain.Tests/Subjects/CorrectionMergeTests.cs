using Exchange.Contracts.V1;
using Exchange.Domain.Subjects;

namespace Exchange.Domain.Tests.Subjects;

public sealed class CorrectionMergeTests
{
    [Fact]
    public void A_correction_replaces_the_values_it_sets_and_keeps_every_other_item()
    {
        var stored = new CustomerRecord
        {
            OwnerParty = "garage-kaminoyama",
            CustomerRef = "C1",
            Contact = new CustomerContact { Name = "山田 太郎", Phone = "023-672-0000", Gender = Gender.Male, BirthDate = new Date { Year = 1970, Month = 4, Day = 1 } },
            Vehicles = { new Vehicle { VehicleRef = "v1", MileageKm = 84_000 } },
        };
        var correction = new CustomerRecord
        {
            OwnerParty = "garage-other",
            CustomerRef = "C2",
            Contact = new CustomerContact { Phone = "023-672-9999", BirthDate = new Date { Year = 1971, Month = 1 } },
        };

        var corrected = CorrectionMerge.Apply(stored, correction);

        Assert.Equal(("garage-kaminoyama", "C1"), (corrected.OwnerParty, corrected.CustomerRef));
        Assert.Equal(("山田 太郎", "023-672-9999", Gender.Male), (corrected.Contact.Name, corrected.Contact.Phone, corrected.Contact.Gender));
        Assert.Equal(new Date { Year = 1971, Month = 1 }, corrected.Contact.BirthDate);
        Assert.Equal(84_000, Assert.Single(corrected.Vehicles).MileageKm);
        Assert.Equal("023-672-0000", stored.Contact.Phone);
    }

    [Fact]
    public void A_list_in_a_correction_replaces_the_stored_list_whole()
    {
        var stored = new CustomerRecord { CustomerRef = "C1", Vehicles = { new Vehicle { VehicleRef = "v1" }, new Vehicle { VehicleRef = "v2" } } };
        var correction = new CustomerRecord { Vehicles = { new Vehicle { VehicleRef = "v2", MileageKm = 10 } } };

        var corrected = CorrectionMerge.Apply(stored, correction);

        Assert.Equal(("v2", 10L), (Assert.Single(corrected.Vehicles).VehicleRef, corrected.Vehicles[0].MileageKm));
        correction.Vehicles[0].MileageKm = 20;
        Assert.Equal(10L, corrected.Vehicles[0].MileageKm);
    }
}
