"""The assessment maths: every worked example of the reference notes (docs/assessment.md), and edge cases."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from servanda.domain.assessment import bargaining as fearon
from servanda.domain.assessment import commitment as powell
from servanda.domain.assessment.entry import (
    TermValue,
    break_even,
    combined_enforcement,
    expected_value,
    guaranteed,
    predictive_at_least,
    probability_above,
    required_enforcement,
)
from servanda.domain.assessment.evaluate import TermCredibility, evaluate
from servanda.domain.assessment.proposal import Proposal

EXACT = 5e-5  # the notes give four decimals


# --- Fearon (1995) ------------------------------------------------------------------------------------------


def test_fearon_bargaining_range() -> None:
    r = fearon.bargaining_range(0.6, 0.1, 0.15)
    assert (r.low, r.high) == (pytest.approx(0.50), pytest.approx(0.75))
    assert not r.empty


def test_fearon_private_information() -> None:
    result = fearon.private_information(0.5, 0.1, 0.4)
    assert result.demand == pytest.approx(0.65)
    assert result.p_war == pytest.approx(0.375)
    assert result.expected_utility == pytest.approx(0.5563, abs=EXACT)


def test_fearon_mutual_optimism_leaves_no_range() -> None:
    # the notes' example in section 4: p_A = .75, r_B = .5, c = .1 each → 1.25 > 1.20, no deal
    assert fearon.optimistic_range(0.75, 0.5, 0.1, 0.1).empty
    assert not fearon.optimistic_range(0.5, 0.5, 0.1, 0.1).empty


def test_fearon_first_strike_empties_the_range() -> None:
    assert fearon.first_strike_range(0.6, 0.45, 0.05, 0.05).empty


def test_fearon_preventive_war_and_the_guarantee_against_it() -> None:
    war = fearon.preventive_war(p1=0.35, p2=0.65, cost_a=0.1, cost_b=0.1, delta=0.9)
    assert war.war
    assert war.war_value == pytest.approx(6.40)
    assert war.best_peace == pytest.approx(4.06)
    assert war.cap == pytest.approx(0.40)
    assert war.penalty == pytest.approx(2.40)
    peace = fearon.preventive_war(p1=0.5, p2=0.55, cost_a=0.1, cost_b=0.5, delta=0.9)
    assert not peace.war
    assert (peace.war_value, peace.best_peace) == (pytest.approx(4.50), pytest.approx(4.60))


# --- Powell (2006) ------------------------------------------------------------------------------------------


def test_powell_shift_larger_than_the_surplus_means_war() -> None:
    s = powell.shift_test(0.3, 0.6, destruction=0.1, delta=0.9)
    assert s.war
    assert s.shift == pytest.approx(2.16)
    assert s.surplus == pytest.approx(1.00)
    assert s.declining_lock_in == pytest.approx(6.30)
    assert s.best_peace == pytest.approx(5.14)
    assert s.guarantee == pytest.approx(1.289, abs=5e-4)
    assert s.guarantee_per_period == pytest.approx(0.13, abs=5e-3)
    assert powell.preventive_war_condition(0.3, 0.3, 0.1, 0.9)


def test_powell_small_shift_means_peace() -> None:
    s = powell.shift_test(0.3, 0.4, destruction=0.1, delta=0.9)
    assert not s.war and s.shift == pytest.approx(0.54) and s.guarantee == 0.0
    assert not powell.preventive_war_condition(0.3, 0.1, 0.1, 0.9)


def test_powell_path_flags_only_the_large_step() -> None:
    steps = powell.power_path([0.30, 0.35, 0.40, 0.60, 0.62], destruction=0.1, delta=0.9)
    assert [s.period for s in steps if s.war] == [2]
    assert steps[2].shift == pytest.approx(1.26)


def test_powell_rejects_a_path_of_one_point() -> None:
    with pytest.raises(ValueError, match="at least two"):
        powell.power_path([0.3], 0.1, 0.9)


# --- self-enforcement and reputation (section 5) ------------------------------------------------------------


def test_grim_trigger_and_penalty() -> None:
    assert powell.grim_trigger_threshold(5, 3, 1) == pytest.approx(0.5)
    assert powell.grim_trigger_threshold(5, 3, 1, fine=1.0) == pytest.approx(1 / 3)
    assert powell.minimum_penalty(gain=3, delta=0.8, value_loss=0.5) == pytest.approx(1.0)


def test_reputation_types() -> None:
    beliefs = [0.2]
    for _ in range(3):
        beliefs.append(powell.reputation_update(beliefs[-1], strategic_keep=0.5, kept=True))
    assert beliefs[1:] == [pytest.approx(1 / 3), pytest.approx(0.5), pytest.approx(2 / 3)]
    assert powell.reputation_update(beliefs[-1], 0.5, kept=False) == 0.0


def test_beta_reputation_predictive() -> None:
    # 7 of 10 kept under a uniform prior: Beta(8, 4); P(at least 2 of the next 3 kept) = .7253
    assert predictive_at_least(8, 4, 2, 3) == pytest.approx(0.7253, abs=EXACT)


# --- the entry rule -----------------------------------------------------------------------------------------

UTILITIES = {"kept": 1.0, "broken": -1.5}


def test_entry_rule_break_even() -> None:
    assert break_even([TermValue(0.5, **UTILITIES)], 0.0) == pytest.approx(0.6)


def test_entry_rule_beta_8_4_enters() -> None:
    term = TermValue(8 / 12, **UTILITIES)
    assert expected_value([term]) == pytest.approx(0.1667, abs=EXACT)
    assert probability_above(8, 4, 0.6) == pytest.approx(0.7037, abs=EXACT)
    assert required_enforcement([term], 0.0) == 0.0


def test_entry_rule_time_decayed_stays_out() -> None:
    # the time-decayed posterior of the notes: Beta(2.0928, 2.5480), mean .4510
    p = 2.0928 / (2.0928 + 2.5480)
    term = TermValue(p, **UTILITIES)
    assert p == pytest.approx(0.4510, abs=EXACT)
    assert expected_value([term]) == pytest.approx(-0.373, abs=5e-4)
    # the guarantee must close the gap to p* = .6: e* = (p* − p)/(1 − p)
    e = required_enforcement([term], 0.0)
    assert e == pytest.approx((0.6 - p) / (1 - p))
    assert expected_value(guaranteed([term], e or 0.0)) == pytest.approx(0.0, abs=1e-12)


def test_certain_compliance_and_certain_breach() -> None:
    assert expected_value([TermValue(1.0, **UTILITIES)]) == 1.0
    assert required_enforcement([TermValue(1.0, **UTILITIES)], 0.0) == 0.0
    assert expected_value([TermValue(0.0, **UTILITIES)]) == -1.5
    # with certain breach only the guarantee keeps the term: it must enforce p* itself
    assert required_enforcement([TermValue(0.0, **UTILITIES)], 0.0) == pytest.approx(0.6)


def test_no_guarantee_helps_when_the_alternative_is_better_than_any_deal() -> None:
    assert required_enforcement([TermValue(0.9, **UTILITIES)], 1.2) is None
    assert break_even([TermValue(0.9, **UTILITIES)], 1.2) == pytest.approx(1.08)


def test_compliance_that_does_not_matter_has_no_break_even() -> None:
    assert break_even([TermValue(0.5, 1.0, 1.0)], 0.0) is None


def test_guarantors_combine_independently() -> None:
    assert combined_enforcement([0.5, 0.5]) == pytest.approx(0.75)
    assert combined_enforcement([]) == 0.0


# --- a whole proposal ---------------------------------------------------------------------------------------


def _proposal(**changes: object) -> Proposal:
    data: dict[str, object] = {
        "title": "A ceasefire",
        "counterpart": "ru",
        "terms": {
            "counterpart": [
                {
                    "id": "hold-fire",
                    "text": "Stop firing",
                    "kind": "ceasefire",
                    "strength": "signed_agreement",
                    "value_if_kept": 1.0,
                    "loss_if_broken": {"value": 1.5, "low": 1.0, "high": 2.5},
                }
            ]
        },
        "alternative": 0.0,
    }
    data.update(changes)
    return Proposal.model_validate(data)


def _credibility(alpha: float, beta: float, low: float = 0.3, high: float = 0.8) -> TermCredibility:
    return TermCredibility(
        "hold-fire", "kind", ("ru", "ceasefire"), alpha / (alpha + beta), low, high, alpha, beta, 10, 10.0
    )


def test_a_proposal_the_record_supports() -> None:
    result = evaluate(_proposal(), [_credibility(8, 4, 0.4356, 0.8649)])
    assert result.net == pytest.approx(0.1667, abs=EXACT)
    assert result.probability_worth == pytest.approx(0.7037, abs=EXACT)
    assert result.worth_entering
    assert result.headline.startswith("Worth entering")
    # the low end of the interval (.4356) is below p* = .6: the headline says so
    assert "not across the whole 90% interval" in result.headline
    assert any(row.flips for row in result.sensitivity)


def test_a_proposal_that_needs_a_guarantee() -> None:
    cred = _credibility(2.0928, 2.5480)
    result = evaluate(_proposal(), [cred])
    assert not result.worth_entering
    assert result.required_enforcement == pytest.approx(0.2715, abs=EXACT)
    assert result.headline.startswith("Not worth entering without a guarantee enforcing at least 0.27")
    guaranteed_result = evaluate(_proposal(guarantors=[{"actor": "us", "enforcement": 0.3}]), [cred])
    assert guaranteed_result.worth_entering
    assert guaranteed_result.headline.startswith("Worth entering only with the guarantee")


def test_commitment_problem_and_empty_range_are_stated_in_the_verdict() -> None:
    proposal = _proposal(
        commitment_problem={"power_path": [0.3, 0.6], "destruction": 0.1, "discount": 0.9},
        bargaining={
            "p_victory": 0.75,
            "cost_self": 0.1,
            "cost_counterpart": 0.1,
            "counterpart_p_victory": 0.5,
        },
    )
    result = evaluate(proposal, [_credibility(8, 4)])
    assert not result.worth_entering
    assert "no agreement is self-enforcing" in result.headline
    assert "1.29" in result.headline
    assert "no bargaining range" in result.headline


def test_several_terms_use_a_reproducible_monte_carlo() -> None:
    second = {
        "id": "withdraw",
        "text": "Withdraw",
        "kind": "military_presence",
        "strength": "official_assurance",
        "value_if_kept": 0.5,
        "loss_if_broken": 0.5,
    }
    proposal = _proposal(terms={"counterpart": [_proposal().terms.counterpart[0].model_dump(), second]})
    creds = [
        _credibility(8, 4),
        TermCredibility("withdraw", "kind", ("ru", "military_presence"), 0.5, 0.2, 0.8, 2, 2, 2, 2.0),
    ]
    first, again = evaluate(proposal, creds), evaluate(proposal, creds)
    assert first.probability_worth == again.probability_worth
    assert first.probability_worth is not None and 0 < first.probability_worth < 1
    assert first.sensitivity[0].swing >= first.sensitivity[-1].swing


def test_proposal_refuses_bad_input() -> None:
    with pytest.raises(ValidationError, match="between low"):
        _proposal(alternative={"value": 2.0, "low": 0.0, "high": 1.0})
    with pytest.raises(ValidationError, match="between 0 and 1"):
        _proposal(guarantors=[{"actor": "us", "enforcement": 1.5}])
    with pytest.raises(ValidationError, match="Extra inputs"):
        _proposal(surprise=1)
