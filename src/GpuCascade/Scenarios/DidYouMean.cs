using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>Suggests the closest known name for a misspelt key or symbol.</summary>
internal static class DidYouMean
{
    /// <summary>The closest candidate within a small edit distance, or null.</summary>
    public static string? Closest(string word, IEnumerable<string> candidates)
    {
        // Names are short: nothing is suggested for, or as, a word of more than 64 characters.
        if (word.Length > 64) return null;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Where(c => c.Length <= 64))
        {
            // A case slip (Steps for steps) always deserves the suggestion. No suggestion is more than 3 edits away, so
            // lengths further apart than that are not compared (a megabyte of garbage costs nothing).
            int d = string.Equals(word, candidate, StringComparison.OrdinalIgnoreCase) ? 0
                : Math.Abs(word.Length - candidate.Length) > 3 ? int.MaxValue - 1 : Distance(word, candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.Clamp(Math.Max(word.Length, best?.Length ?? 0) / 3, 1, 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary><c> (did you mean 'x'?)</c> or an empty string.</summary>
    public static string Hint(string word, IEnumerable<string> candidates) =>
        Closest(word, candidates) is string s ? $" (did you mean {Echo.Quote(s)}?)" : "";

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        for (int j = 1; j <= b.Length; j++)
        {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
