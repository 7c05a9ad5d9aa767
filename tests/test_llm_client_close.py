"""A call's LLM services close their SDK clients when the call ends, so no client is left
for the garbage collector to close in a stray task after the teardown."""

from conversation.extraction import ModelExtraction
from harness.text_call import restaurant_reader
from services.llm import anthropic_llm, openai_llm
from settings import Settings


async def test_claude_closes_its_client_at_cleanup():
    llm = anthropic_llm(api_key="sk-test", model="claude-test", base_url="http://127.0.0.1:1")
    await llm.cleanup()
    assert llm._client.is_closed()


async def test_an_openai_compatible_llm_closes_its_client_at_cleanup():
    llm = openai_llm(api_key="sk-test", base_url="http://127.0.0.1:1/v1", model="m")
    await llm.cleanup()
    assert llm._client.is_closed()


async def test_the_state_models_client_is_closed_with_the_extraction():
    llm = anthropic_llm(api_key="sk-test", model="claude-test", base_url="http://127.0.0.1:1")
    extraction = ModelExtraction(llm, restaurant_reader(Settings(_env_file=None)))
    await extraction.close()
    assert llm._client.is_closed()
