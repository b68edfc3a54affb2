using Exchange.Contracts.V1;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>Realistic customer records for scenarios.</summary>
public static class Sample
{
    public static CustomerRecord Customer(string customerRef, string modelCode = "DAA-ZVW30", string prefecture = "山形県", long billed = 54_000)
    {
        var record = new CustomerRecord
        {
            CustomerRef = customerRef,
            Contact = new CustomerContact
            {
                Name = $"山田 太郎 {customerRef}",
                NameKana = "ヤマダ タロウ",
                Gender = Gender.Male,
                Address = new PostalAddress { PostalCode = "999-3243", Prefecture = prefecture, Locality = "上山市", Street = "高松 1-2-3" },
                Phone = "023-672-0000",
                Email = $"{customerRef}@example.jp",
                BirthDate = new Date { Year = 1970, Month = 4, Day = 1 },
                Occupation = Occupation.Employee,
                ReplacementIntent = new ReplacementIntent { Horizon = ReplacementHorizon.Within1Year, ConsideredType = "ミニバン" },
            },
        };
        record.Contact.Family.Add(new FamilyMember { Relation = FamilyRelation.Spouse, BirthYear = 1972, Drives = true });
        record.Vehicles.Add(new Vehicle
        {
            VehicleRef = "v1",
            EntryDate = new Date { Year = 2026, Month = 10, Day = 1 },
            InspectionCertificate = new InspectionCertificate
            {
                RegistrationNumber = "山形 500 あ 12-34",
                ChassisNumber = $"ZVW30-{customerRef}",
                ModelCode = modelCode,
                Maker = "トヨタ",
                CarName = "プリウス",
                FirstRegistration = new Date { Year = 2015, Month = 6 },
                InspectionExpiry = new Date { Year = 2027, Month = 6, Day = 30 },
            },
            MileageKm = 84_000,
            Usage = VehicleUsage.Private,
        });
        var repair = new RepairOrder { OrderRef = "r1", VehicleRef = "v1" };
        repair.Work.Add(new WorkItem { PerformedOn = new Date { Year = 2026, Month = 10, Day = 1 }, Description = "12ヶ月点検、ブレーキパッド交換" });
        repair.Parts.Add(new PartLine { Name = "ブレーキパッド", Quantity = 1, UnitPriceYen = 12_000, AmountYen = 12_000 });
        record.Repairs.Add(repair);
        record.Costs.Add(new CostRecord { CostRef = "c1", VehicleRef = "v1", EstimateDate = new Date { Year = 2026, Month = 9, Day = 25 }, SalesDate = new Date { Year = 2026, Month = 10, Day = 1 }, BilledAmountYen = billed });
        return record;
    }
}
