"""faust hard-codes a 1.5 s fetch wait; Herald's workers replace it with the configured one."""

from __future__ import annotations

import aiokafka

from services.runtime.kafka import faust_app_config, limit_faust_fetch_wait
from services.runtime.settings import Settings


async def test_consumers_get_the_configured_fetch_wait_and_patching_twice_does_not_stack(tmp_path: object) -> None:
    limit_faust_fetch_wait(77)
    limit_faust_fetch_wait(66)
    consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers="127.0.0.1:1", fetch_max_wait_ms=1500)
    try:
        assert consumer._fetch_max_wait_ms == 66
        assert aiokafka.AIOKafkaConsumer.__mro__[1].__name__ == "AIOKafkaConsumer"
        assert aiokafka.AIOKafkaConsumer.__mro__[1] is not aiokafka.AIOKafkaConsumer
    finally:
        await consumer.stop()


async def test_worker_config_applies_the_setting(tmp_path: object) -> None:
    faust_app_config(Settings(kafka_fetch_max_wait_ms=55, data_dir=str(tmp_path)), "test", 0)
    consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers="127.0.0.1:1")
    try:
        assert consumer._fetch_max_wait_ms == 55
    finally:
        await consumer.stop()
