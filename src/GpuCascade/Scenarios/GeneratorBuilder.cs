using System.Collections.Immutable;

namespace GpuCascade.Scenarios;

/// <summary>The synthetic book generator in a <see cref="ScenarioBuilder"/>; unset values keep the documented defaults.</summary>
public sealed class GeneratorBuilder
{
    private readonly List<(string Symbol, GeneratorAssetSpec Spec)> assets = new();
    private BookGeneratorSpec settings = new() { Assets = ImmutableArray<GeneratorAssetSpec>.Empty };

    internal GeneratorBuilder() { }

    /// <summary>Seed of the book, separate from the path seed [1].</summary>
    public GeneratorBuilder Seed(ulong seed) => Set(settings with { Seed = seed });

    /// <summary>Cohorts generated per asset [100].</summary>
    public GeneratorBuilder CohortsPerAsset(int count) => Set(settings with { CohortsPerAsset = count });

    /// <summary>Share of cross-margin cohorts, in [0, 1] [0].</summary>
    public GeneratorBuilder CrossMarginShare(double share) => Set(settings with { CrossMarginShare = share });

    /// <summary>Share of coin-margined cohorts, in [0, 1] [0].</summary>
    public GeneratorBuilder CoinMarginedShare(double share) => Set(settings with { CoinMarginedShare = share });

    /// <summary>Accounts each generated cohort stands for [100].</summary>
    public GeneratorBuilder AccountsPerCohort(double accounts) => Set(settings with { AccountsPerCohort = accounts });

    /// <summary>The open interest and leverage profile of one asset.</summary>
    /// <param name="symbol">Asset symbol.</param>
    /// <param name="openInterest">USD open interest of one side, as reported (the longs and shorts together are twice it).</param>
    /// <param name="longShare">Share held long [0.5].</param>
    /// <param name="leverageMedian">Median leverage [10].</param>
    /// <param name="leverageDispersion">Log-standard deviation of leverage [0.6].</param>
    /// <param name="leverageMax">Largest leverage [50].</param>
    /// <param name="entryDispersion">Log-standard deviation of entry prices [0.05].</param>
    /// <param name="hedgedShare">Share of the open interest held delta-neutral, left out of the book [0].</param>
    public GeneratorBuilder Asset(string symbol, double openInterest, double? longShare = null, double? leverageMedian = null,
        double? leverageDispersion = null, double? leverageMax = null, double? entryDispersion = null, double? hedgedShare = null)
    {
        var spec = new GeneratorAssetSpec { AssetIndex = -1, OpenInterest = openInterest };
        assets.Add((symbol, GeneratorTerms.WithOptions(spec, longShare, leverageMedian, leverageDispersion, leverageMax, entryDispersion,
            hedgedShare)));
        return this;
    }

    private GeneratorBuilder Set(BookGeneratorSpec value)
    {
        settings = value;
        return this;
    }

    internal BookGeneratorSpec? Build(Diagnostics errors, SymbolTable table)
    {
        var resolved = ImmutableArray.CreateBuilder<GeneratorAssetSpec>(assets.Count);
        foreach (var (symbol, spec) in assets)
            if (table.Resolve(errors, $"book.generator.assets.{symbol}", symbol) is int i)
                resolved.Add(spec with { AssetIndex = i });
        return resolved.Count == assets.Count ? settings with { Assets = resolved.MoveToImmutable() } : null;
    }
}
