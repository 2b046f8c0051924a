package io.irhub.runtime;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A source instance that consumes a topic: offsets follow durable accept; poison goes to the dead-letter topic. */
class KafkaSourceEndToEndTest {

    static String signal(String id, String user) {
        return """
                {"id":"%s","detection":"Compromised account via EDR","severity":"high",
                 "identities":[{"kind":"user","login":"%s"}]}""".formatted(id, user);
    }

    @Test
    void signalsOnATopicAreActedOnAndAPoisonRecordIsDeadLettered() throws Exception {
        HubFixture fixture = new HubFixture();
        try (KafkaBroker kafka = KafkaBroker.start()) {
            String config = """
                    store:
                      jdbc-url: %s
                      username: postgres
                    kafka:
                      bootstrap-servers: %s
                    sources:
                      - name: edr-stream
                        type: generic
                        config: {bearer-token: "${env:GENERIC_TOKEN}"}
                        kafka: {topic: edr-signals, dead-letter-topic: irhub-dead-letters}
                    targets:
                      - name: okta-main
                        type: okta
                        config:
                          org-url: %s
                          client-id: %s
                          private-key: ${env:OKTA_LOOKUP_KEY}
                          suspend-client-id: %s
                          suspend-private-key: ${env:OKTA_SUSPEND_KEY}
                    policies:
                      - name: edr-compromise
                        mode: auto
                        actions: [{verb: suspend, target: okta-main}]
                    """.formatted(fixture.jdbcUrl, kafka.bootstrap(), fixture.okta.baseUrl(), OktaStandIn.LOOKUP_CLIENT,
                    OktaStandIn.SUSPEND_CLIENT);
            Map<String, String> env = new HashMap<>(fixture.env());
            env.put("GENERIC_TOKEN", "generic-token-kafka-test");
            try (HubProcess hub = new HubProcess(HubFixture.workDir("kafka-source"), config, env);
                 KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                         ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                hub.start();
                producer.send(new ProducerRecord<>("edr-signals", "alice", signal("edr-1", "alice@example.com"))).get();
                producer.send(new ProducerRecord<>("edr-signals", "x", "this is not an irhub signal")).get();
                producer.send(new ProducerRecord<>("edr-signals", "bob", signal("edr-2", "bob@example.com"))).get();
                producer.send(new ProducerRecord<>("edr-signals", "alice", signal("edr-1", "alice@example.com"))).get();

                await().atMost(Duration.ofSeconds(45)).until(() ->
                        fixture.okta.requests("POST", "/api/v1/users/00u1alice/lifecycle/suspend").size() == 1
                                && fixture.okta.requests("POST", "/api/v1/users/00u2bob/lifecycle/suspend").size() == 1);
                assertThat(fixture.count("SELECT count(*) FROM signal WHERE source_instance = 'edr-stream'")).isEqualTo(2);
                assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'signal-duplicate'")).isEqualTo(1);
                assertThat(fixture.count("SELECT count(*) FROM audit_event WHERE stage = 'signal-refused' AND outcome = 'dead-lettered'"
                        + " AND connector_instance = 'edr-stream'")).isEqualTo(1);

                List<ConsumerRecord<String, byte[]>> dead = readAll(kafka.bootstrap(), "irhub-dead-letters", 1);
                assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("this is not an irhub signal");
                assertThat(new String(dead.get(0).headers().lastHeader("irhub-error").value(), StandardCharsets.UTF_8))
                        .contains("not valid JSON");

                // every record's offset is committed, the poison one included
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
                    await().atMost(Duration.ofSeconds(15)).until(() -> {
                        var offsets = admin.listConsumerGroupOffsets("irhub-edr-stream").partitionsToOffsetAndMetadata().get();
                        var committed = offsets.get(new TopicPartition("edr-signals", 0));
                        return committed != null && committed.offset() == 4;
                    });
                }
            }
        } finally {
            fixture.okta.close();
        }
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "test-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }
}
