using static LoraLab.Engine.Demo.DemoVocabulary;

namespace LoraLab.Engine.Demo;

/// <summary>A question about a text, and its answer built only from words of the text and the question.</summary>
public sealed record QuestionAnswer(string Question, string Answer);

/// <summary>A short story, sentence by sentence, and the questions it answers.</summary>
public sealed record ToldStory(IReadOnlyList<string> Sentences, IReadOnlyList<QuestionAnswer> Questions)
{
    public string Text => string.Join(" ", Sentences);

    /// <summary>
    /// "anna had a small red fox. one day the fox ran to the park at noon. …". Each kind of middle sentence occurs at
    /// most once, so every question has one answer.
    /// </summary>
    public static ToldStory Tell(DemoRandom r)
    {
        string name = r.Pick(Names), friend = Other(r, Names, name), animal = r.Pick(Animals), place = r.Pick(Places);
        string size = r.Pick(Sizes), color = r.Pick(Colors), motion = r.Pick(MotionVerbs), time = r.Pick(Times);
        var sentences = new List<string> { $"{name} had {Article(size)} {size} {color} {animal}.", $"one day the {animal} {motion} to the {place} {time}." };
        var questions = new List<QuestionAnswer>
        {
            new($"who had a {animal}?", $"{name} had {Article(size)} {size} {color} {animal}."),
            new($"what color was the {animal}?", r.Next(2) == 0 ? $"{color}." : $"the {animal} was {color}."),
            new($"where did the {animal} go?", $"the {animal} {motion} to the {place}."),
            new($"when did the {animal} go to the {place}?", $"the {animal} {motion} to the {place} {time}."),
        };

        var kinds = new List<int> { 0, 1, 2, 3 };
        int more = r.Next(1, 4);
        for (int i = 0; i < more; i++)
        {
            int kind = kinds[r.Next(kinds.Count)];
            kinds.Remove(kind);
            switch (kind)
            {
                case 0:
                    string verb = r.Pick(ActionVerbs), objectColor = r.Pick(Colors), thing = r.Pick(Objects);
                    sentences.Add($"{name} {verb} {Article(objectColor)} {objectColor} {thing} at the {place}.");
                    questions.Add(new($"what did {name} do at the {place}?", $"{name} {verb} {Article(objectColor)} {objectColor} {thing}."));
                    questions.Add(new($"what color was the {thing}?", r.Next(2) == 0 ? $"{objectColor}." : $"the {thing} was {objectColor}."));
                    break;
                case 1:
                    int count = r.Next(2, 13);
                    string food = r.Pick(Foods);
                    sentences.Add($"{friend} gave {name} {count} {food}s.");
                    questions.Add(new($"how many {food}s did {friend} give {name}?", r.Next(2) == 0 ? $"{count}." : $"{friend} gave {name} {count} {food}s."));
                    questions.Add(new($"who gave {name} the {food}s?", $"{friend} gave {name} the {food}s."));
                    break;
                case 2:
                    string animalFeeling = r.Pick(Feelings), nameFeeling = r.Pick(Feelings);
                    sentences.Add($"the {animal} was {animalFeeling} and {name} was {nameFeeling}.");
                    questions.Add(new($"how was the {animal}?", $"the {animal} was {animalFeeling}."));
                    break;
                default:
                    string together = r.Pick(MotionVerbs), destination = r.Pick(Places);
                    sentences.Add($"then {name} and {friend} {together} to the {destination}.");
                    questions.Add(new($"who {together} to the {destination} with {name}?", $"{friend} {together} to the {destination} with {name}."));
                    break;
            }
        }

        string feeling = r.Pick(Feelings);
        sentences.Add($"at the end of the day {name} was {feeling}.");
        questions.Add(new($"how was {name} at the end of the day?", $"at the end of the day {name} was {feeling}."));
        return new ToldStory(sentences, questions);
    }

    static string Other(DemoRandom r, IReadOnlyList<string> items, string not)
    {
        string pick;
        do pick = r.Pick(items);
        while (pick == not);
        return pick;
    }
}
