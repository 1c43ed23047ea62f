"""Every kind of question: answers equal torch's, right / wrong / named-mistake answers judged, seeds reproducible,
texts in both languages."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vizconv import ParameterError
from vizconv.i18n.strings import STRINGS
from vizconv.quiz import KINDS, MAX_QUESTIONS, answer_text, make_question, make_quiz

SEEDS = range(60)  # per kind: enough to meet every mistake, quick (a network question takes ~40 ms)


def _torch_answer(question):
    """The answer computed by torch itself from the question's setup."""
    setup = question.setup
    if question.kind == "conv_output_size":
        size, k = setup["size"], setup["kernel"]
        out = F.conv2d(
            torch.zeros(1, 1, size, size),
            torch.zeros(1, 1, k, k),
            stride=setup["stride"],
            padding=setup["padding"],
            dilation=setup["dilation"],
        )
        return Fraction(out.shape[-1])
    if question.kind == "next_value":
        out = F.conv2d(
            torch.tensor(setup["x"], dtype=torch.float32)[None],
            torch.tensor(setup["weight"], dtype=torch.float32),
            torch.tensor(setup["bias"], dtype=torch.float32),
            stride=setup["stride"],
            padding=setup["padding"],
        )[0, setup["channel"]]
        assert divmod(setup["step"], out.shape[1]) == tuple(setup["position"])
        return Fraction(round(float(out.flatten()[setup["step"]])))
    if question.kind == "param_count":
        keys = ("in_channels", "out_channels", "kernel_size", "groups", "bias")
        conv = nn.Conv2d(**{key: setup[key] for key in keys})
        return Fraction(sum(p.numel() for p in conv.parameters()))
    if question.kind == "pool_shape":
        pool = F.max_pool2d if setup["kind"] == "max" else F.avg_pool2d
        out = pool(torch.zeros(1, *setup["input"]), setup["kernel_size"], setup["stride"], setup["padding"])
        return tuple(out.shape[1:])
    if question.kind == "tconv_shape":
        c_in, h, w = setup["input"]
        k = setup["kernel_size"]
        out = F.conv_transpose2d(
            torch.zeros(1, c_in, h, w),
            torch.zeros(c_in, setup["out_channels"], k, k),
            stride=setup["stride"],
            padding=setup["padding"],
            output_padding=setup["output_padding"],
            dilation=setup["dilation"],
        )
        return tuple(out.shape[1:])
    from vizconv.nets.builder import parse_stack, to_sequential

    specs = parse_stack(setup["stack"], setup["input"])
    assert specs is not None and len(specs) >= setup["index"]
    with torch.no_grad():
        out = to_sequential(specs)[: setup["index"]].eval()(torch.zeros(1, *setup["input"]))
    return tuple(out.shape[1:])


@pytest.mark.parametrize("kind", KINDS)
def test_answers_are_torchs(kind):
    for seed in SEEDS:
        question = make_question(kind, seed)
        assert question.answer == _torch_answer(question), question.id


@pytest.mark.parametrize("kind", KINDS)
def test_right_wrong_and_named_mistakes(kind):
    """The answer typed is right; every mistake's value typed names that mistake; any other number is wrong
    without a name; text is unreadable."""
    named = set()
    for seed in SEEDS:
        question = make_question(kind, seed)
        assert question.check(answer_text(question.answer)).right, question.id
        for mistake in question.all_mistakes:
            for value in mistake.values:
                verdict = question.check(answer_text(value))
                assert verdict.outcome == "wrong" and verdict.mistake == mistake, (question.id, mistake.name)
                named.add(mistake.name)
        values = {v for m in question.all_mistakes for v in m.values}
        other = _unnamed_wrong(question.answer, values)
        assert question.check(answer_text(other)).outcome == "wrong"
        assert question.check(answer_text(other)).mistake is None
        assert question.check("no idea").outcome == "unreadable"
    assert named >= EXPECTED_MISTAKES[kind], EXPECTED_MISTAKES[kind] - named


EXPECTED_MISTAKES = {  # each kind meets at least these within SEEDS
    "conv_output_size": {"notes_formula", "forgot_dilation", "no_floor", "ceil", "forgot_padding", "forgot_stride"},
    "next_value": {"forgot_bias_value", "flipped_kernel", "one_channel", "stride_ignored", "previous_value"},
    "param_count": {"forgot_bias", "bias_counted", "forgot_in_channels", "ignored_groups", "kernel_not_squared"},
    "pool_shape": {"pool_stride_one", "ceil", "notes_formula", "missing_channels"},
    "tconv_shape": {"ignored_output_padding", "conv_formula", "padding_added", "forgot_dilation", "kept_in_channels"},
    # (the notes' formula, floored, agrees with torch's on these stacks: even sizes, odd kernels, stride 1 or 2)
    "network_shape": {"previous_shape", "kept_channels", "flatten_forgot_channels", "missing_channels"},
}


def _unnamed_wrong(answer, taken):
    """A wrong answer no mistake names: the answer plus 1000 (each size of a shape)."""
    if isinstance(answer, tuple):
        return tuple(n + 1000 for n in answer)
    return answer + 1000


def test_the_notes_formula_is_named_for_the_output_size():
    """Seed 003's course notes: (h + 2p − k + 1)/s. H = 7, k = 3, s = 2: the notes give 5/2; torch gives 3."""
    for seed in range(500):
        question = make_question("conv_output_size", seed)
        setup = question.setup
        if setup["dilation"] == 1 and setup["stride"] > 1:
            h, k, s, p = setup["size"], setup["kernel"], setup["stride"], setup["padding"]
            notes = Fraction(h + 2 * p - k + 1, s)
            verdict = question.check(answer_text(notes))
            assert verdict.mistake is not None and verdict.mistake.name == "notes_formula"
            assert "(H + 2p − k + 1)/s" in verdict.mistake.message.text("en")
            return
    pytest.fail("no question with stride > 1 and dilation 1 in 500 seeds")


def test_a_forgotten_bias_is_named_for_the_parameter_count():
    question = next(q for q in map(lambda s: make_question("param_count", s), range(100)) if q.setup["bias"])
    weights = question.answer - question.setup["out_channels"]
    verdict = question.check(str(weights))
    assert verdict.mistake.name == "forgot_bias"
    assert f"{question.setup['out_channels']} kernels also has one bias" in verdict.mistake.message.text("en")


def test_ignored_output_padding_is_named_for_the_transposed_convolution():
    question = next(q for q in map(lambda s: make_question("tconv_shape", s), range(100)) if q.setup["output_padding"])
    op = question.setup["output_padding"]
    c, h, w = question.answer
    assert question.check(f"[{c}, {h - op}, {w - op}]").mistake.name == "ignored_output_padding"


@pytest.mark.parametrize("kind", KINDS)
def test_seeds_are_reproducible(kind):
    for seed in (0, 1, 2**31 + 5):
        first, again = make_question(kind, seed), make_question(kind, seed)
        assert (first.prompt, first.answer, first.setup, first.mistakes) == (
            again.prompt,
            again.answer,
            again.setup,
            again.mistakes,
        )
    assert (
        len(
            {answer_text(make_question(kind, seed).answer) + str(make_question(kind, seed).setup) for seed in range(10)}
        )
        > 3
    )


def test_a_quiz_from_a_seed_is_the_same_quiz():
    quiz = make_quiz(42, count=8)
    assert [q.id for q in quiz] == [q.id for q in make_quiz(42, count=8)]
    assert [q.kind for q in quiz] == [*KINDS, *KINDS[:2]]
    assert [q.id for q in quiz] != [q.id for q in make_quiz(43, count=8)]
    assert [q.kind for q in make_quiz(1, ["pool_shape"], 3)] == ["pool_shape"] * 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_question("riddle", 1), "no question kind 'riddle'"),
        (lambda: make_question("pool_shape", -1), "seed must be at least 0"),
        (lambda: make_question("pool_shape", "1"), "seed must be a whole number"),
        (lambda: make_quiz(1, count=MAX_QUESTIONS + 1), f"at most {MAX_QUESTIONS} questions"),
        (lambda: make_quiz(1, kinds=[]), "at least one kind"),
    ],
)
def test_refusals_are_explained(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", KINDS)
def test_every_text_renders_in_both_languages(kind):
    """Prompts, explanations, mistakes, verdicts and hints fill in English and Chinese (the Chinese has Chinese
    in it); every key they use is in the catalogue, and every quiz key of the catalogue is one some text uses."""
    for seed in range(20):
        question = make_question(kind, seed)
        messages = [question.prompt, question.explanation, *(m.message for m in question.all_mistakes)]
        verdicts = [question.check(t) for t in (answer_text(question.answer), "0", "?")]
        messages += [v.headline for v in verdicts]
        for message in messages:
            english, chinese = message.text("en"), message.text("zh")
            assert english != chinese and CJK.search(chinese), message.key
            assert "{" not in english and "{" not in chinese, message.key


def test_every_quiz_key_is_used():
    used = {f"quiz.kind.{kind}" for kind in KINDS} | {"quiz.score", "quiz.err.kind", "quiz.err.count"}
    used |= {"quiz.err.no_kinds", "quiz.verdict.right", "quiz.verdict.wrong", "quiz.unreadable.number"}
    used |= {"quiz.unreadable.shape"}
    for kind in KINDS:
        for seed in SEEDS:
            question = make_question(kind, seed)
            used |= {question.prompt.key, question.explanation.key}
            used |= {m.message.key for m in question.all_mistakes}
            rule = question.explanation.params.get("rule")
            used |= {rule} if rule else set()
    assert sorted(k for k in STRINGS if k.startswith("quiz.") and k not in used) == []
    assert sorted(k for k in used if k not in STRINGS) == []
