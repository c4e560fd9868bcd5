using System.Collections.Immutable;
using GpuCascade.Book;
using GpuCascade.Operations;
using GpuCascade.Scenarios;

namespace GpuCascade.Calibration;

/// <summary>A scenario prepared for a comparison or a calibration: the values set, the book held fixed (unless a
/// <c>book.generator.*</c> key regenerates it) and the initial-margin rule applied.</summary>
/// <param name="Scenario">The validated scenario to run.</param>
/// <param name="DeleveragedNotional">Gross notional removed by the deleveraging rule, at the starting prices.</param>
/// <param name="OpeningRoundNotional">Gross notional of the cohorts the liquidating rule sends to the opening round.</param>
/// <param name="BookRegenerated">Whether the book was generated again from this variant's generator.</param>
internal sealed record PreparedVariant(Scenario Scenario, double DeleveragedNotional, double OpeningRoundNotional, bool BookRegenerated);

/// <summary>
/// Builds the variants of a base scenario document: the generated book is generated once from the base and held fixed
/// as explicit cohorts, so a change of the margin rule does not change the book (the generator's leverage cap depends
/// on it); the listed cohorts are the variant's own (a <c>book.cohorts[...]</c> key changes them); each variant then
/// gets the initial-margin rule of <see cref="InitialMargin"/>.
/// </summary>
internal sealed class VariantFactory
{
    private readonly ScenarioDocument _document;
    private readonly Scenario _base;
    private readonly ImmutableArray<CohortSpec> _generated;

    private readonly BreachRule _breach;

    public VariantFactory(ScenarioDocument document, BreachRule breach = BreachRule.Deleverage)
    {
        _document = document;
        _breach = breach;
        _base = document.ToScenario(); // the base itself must be valid
        _generated = BookGenerator.Generate(_base);
    }

    /// <summary>How many cohorts the base's generator made (held fixed in every variant).</summary>
    public int GeneratedCohorts => _generated.Length;

    /// <summary>The base scenario, validated, with its generator.</summary>
    public Scenario Base => _base;

    /// <summary>Whether <paramref name="key"/> is an integer in the grammar (checked by setting it to
    /// <paramref name="probe"/>; errors name the key).</summary>
    public bool IsInteger(string key, double probe) => _document.Change(key, probe).Integer;

    /// <summary>Whether a key regenerates the book.</summary>
    public static bool RegeneratesBook(string key) => key.StartsWith("book.generator", StringComparison.Ordinal)
        || (key.StartsWith("venues[", StringComparison.Ordinal) && key.Contains("].book.generator", StringComparison.Ordinal));

    /// <summary>The variant with <paramref name="values"/> set and every asset's diffusion volatility (starting and
    /// long-run) multiplied by <paramref name="volatilityFactor"/>.</summary>
    /// <exception cref="ScenarioException">A key is unknown or not numeric, or the variant is invalid (errors name the values).</exception>
    public PreparedVariant Prepare(IReadOnlyList<KeyValuePair<string, double>> values, double volatilityFactor = 1)
    {
        var document = _document;
        foreach (var (key, value) in values)
        {
            if (key is "paths" or "seed")
                throw new ScenarioException(new ScenarioError(key,
                    "every variant runs on the same paths (common random numbers): give --paths or --seed for all of them instead"));
            document = document.Change(key, value).Document;
        }
        var (scenario, _) = document.BindUnvalidated();
        bool regenerate = values.Any(v => RegeneratesBook(v.Key));
        if (volatilityFactor != 1) scenario = ScaleVolatility(scenario, volatilityFactor);
        double deleveraged = 0, opening = 0;
        if (!regenerate)
        {
            // The variant's listed cohorts (a book.cohorts[...] key changes them) and the base's generated ones.
            ImmutableArray<CohortSpec> book = [.. scenario.Book.Cohorts, .. _generated];
            // The values themselves first (a margin of 1.5 is wrong before it deleverages anything): the fixed book with
            // the initial-margin check off, so that only the rule below decides what a breach does.
            var fixedBook = new BookSpec { Cohorts = [.. book.Select(c => c with { LiquidateAtStart = true })] };
            Throw(ScenarioValidator.Validate(VenuesModule.WithBook(scenario, fixedBook.Cohorts)), values, volatilityFactor);
            // The base is the reference of the rule: a cohort that started below its initial margin keeps its headroom.
            ImmutableArray<CohortSpec> cohorts;
            if (_breach == BreachRule.Liquidate) (cohorts, opening) = InitialMargin.MarkForOpeningRound(scenario, _base, book);
            else (cohorts, deleveraged) = InitialMargin.Deleverage(scenario, _base, book);
            scenario = VenuesModule.WithBook(scenario, cohorts);
        }
        Throw(ScenarioValidator.Validate(scenario), values, volatilityFactor);
        return new PreparedVariant(scenario, deleveraged, opening, regenerate);
    }

    /// <summary>The validator's errors, each naming the values that produced it.</summary>
    private static void Throw(IReadOnlyList<ScenarioError> errors, IReadOnlyList<KeyValuePair<string, double>> values, double volatilityFactor)
    {
        if (errors.Count == 0) return;
        string set = string.Join(", ", values.Select(v => $"{Echo.Key(v.Key)}={ScenarioNumbers.Text(v.Value)}"));
        if (volatilityFactor != 1) set += $", volatility x{ScenarioNumbers.Format(volatilityFactor)}";
        throw new ScenarioException(errors.Select(e => e with { Message = $"{e.Message} (with {set})" }).ToList());
    }

    /// <summary>Diffusion volatility (starting and long-run, hence GARCH's omega, dynamic margins and square-root
    /// impact) times <paramref name="factor"/>; jumps, Student-t and stress shocks unchanged.</summary>
    public static Scenario ScaleVolatility(Scenario scenario, double factor) =>
        VenuesModule.WithAssets(scenario, a => a with { Volatility = a.Volatility * factor, LongRunVolatility = a.LongRunVolatility * factor });
}
