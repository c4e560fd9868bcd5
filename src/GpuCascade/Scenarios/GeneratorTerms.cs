namespace GpuCascade.Scenarios;

/// <summary>Optional generator settings applied over the record's defaults (shared by the binder and the builder).</summary>
internal static class GeneratorTerms
{
    public static GeneratorAssetSpec WithOptions(GeneratorAssetSpec spec, double? longShare, double? leverageMedian,
        double? leverageDispersion, double? leverageMax, double? entryDispersion, double? hedgedShare = null)
    {
        if (hedgedShare is double h) spec = spec with { HedgedShare = h };
        if (longShare is double s) spec = spec with { LongShare = s };
        if (leverageMedian is double median) spec = spec with { LeverageMedian = median };
        if (leverageDispersion is double dispersion) spec = spec with { LeverageDispersion = dispersion };
        if (leverageMax is double max) spec = spec with { LeverageMax = max };
        if (entryDispersion is double e) spec = spec with { EntryDispersion = e };
        return spec;
    }
}
