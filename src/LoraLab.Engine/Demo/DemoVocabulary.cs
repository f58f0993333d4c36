namespace LoraLab.Engine.Demo;

/// <summary>The word lists the demo grammars draw from: small, concrete and all lowercase.</summary>
public static class DemoVocabulary
{
    public static readonly string[] Names =
    [
        "anna", "ben", "mia", "tom", "lily", "sam", "emma", "jack", "nora", "leo", "zoe", "max", "ella", "finn", "ruby", "omar",
        "ivy", "theo", "lucy", "hugo", "maya", "noah", "rosa", "adam",
    ];

    public static readonly string[] Animals =
    [
        "cat", "dog", "bird", "fox", "horse", "rabbit", "mouse", "duck", "goat", "sheep", "frog", "bear", "owl", "fish", "cow", "pig",
    ];

    public static readonly string[] Objects =
    [
        "ball", "book", "cup", "hat", "kite", "box", "lamp", "key", "bell", "coat", "drum", "boat", "chair", "clock", "map", "pen",
    ];

    public static readonly string[] Foods = ["apple", "bread", "cake", "pear", "plum", "egg", "soup", "rice", "cheese", "carrot"];

    public static readonly string[] Places =
    [
        "park", "river", "market", "garden", "school", "forest", "beach", "farm", "town", "hill", "lake", "house", "shop", "bridge",
    ];

    public static readonly string[] Colors = ["red", "blue", "green", "yellow", "black", "white", "brown", "pink", "gray", "orange"];

    public static readonly string[] Sizes = ["small", "big", "tiny", "tall", "short", "old", "young", "little"];

    public static readonly string[] Feelings = ["happy", "sad", "tired", "glad", "calm", "angry", "proud", "sleepy", "hungry", "brave"];

    public static readonly string[] MotionVerbs = ["ran", "walked", "went", "jumped", "swam", "flew", "hopped", "came"];

    public static readonly string[] ActionVerbs = ["saw", "found", "lost", "liked", "took", "gave", "made", "had", "got", "held"];

    public static readonly string[] Times = ["in the morning", "at night", "after lunch", "on monday", "in the spring", "at noon", "before dinner"];

    public static readonly string[] Habitats = ["forest", "farm", "river", "lake", "field", "barn", "pond", "meadow"];

    /// <summary>"a" or "an", as the word it stands before sounds.</summary>
    public static string Article(string word) => "aeiou".Contains(word[0]) ? "an" : "a";

    public static readonly string[] NumberWords =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    ];
}
