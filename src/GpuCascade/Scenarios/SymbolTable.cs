using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>Resolves asset symbols to indices in scenario order, with a helpful error for unknown ones.</summary>
internal sealed class SymbolTable(IReadOnlyList<string?> symbols)
{
    /// <summary>The symbols in scenario order (null where an asset had none).</summary>
    public IReadOnlyList<string?> Symbols => symbols;

    public int Count => symbols.Count;

    public int IndexOf(string symbol)
    {
        for (int i = 0; i < symbols.Count; i++)
            if (symbols[i] == symbol) return i;
        return -1;
    }

    /// <summary>The index of <c>symbol</c>, or null with an <c>unknown asset</c> error at <c>path</c>;
    /// <c>alternatives</c> are other words valid at this place, offered as suggestions too.</summary>
    public int? Resolve(Diagnostics errors, string path, string symbol, ScenarioNode? at = null, params string[] alternatives)
    {
        int index = IndexOf(symbol);
        if (index >= 0) return index;
        var known = symbols.OfType<string>().ToList();
        string hint = DidYouMean.Hint(symbol, known.Concat(alternatives));
        if (hint.Length == 0 && known.Count > 0) hint = $" (the assets are {string.Join(", ", known.Select(Echo.Clip))})";
        errors.Add(path, $"unknown asset {Echo.Clip(symbol)}{hint}", at);
        return null;
    }
}
