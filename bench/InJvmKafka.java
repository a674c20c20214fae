// A single-node KRaft Kafka for bench/kafka.sh, run as a source file on the test classpath:
//   java -cp broker-verticles/target/test-classes:<test classpath> bench/InJvmKafka.java DIR TOPIC PARTITIONS
// Writes DIR/bootstrap (host:port) once the topic exists, then DIR/records (records on the topic,
// the sum of its partitions' end offsets) every 200 ms. Stops when its standard input closes (the
// script that started it ended, however it ended) or after 20 minutes, whichever comes first.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.brokkr.broker.testing.TestKafka;

public class InJvmKafka {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // nothing is sent; end of input is the signal
        }
      } catch (java.io.IOException ignored) {
        // closed all the same
      }
      System.exit(0);
    });
    stdin.setDaemon(true);
    stdin.start();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(20);
    TestKafka kafka = TestKafka.start();
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
    kafka.createTopic(topic, partitions);
    Files.writeString(dir.resolve("bootstrap.tmp"), kafka.bootstrapServers());
    Files.move(dir.resolve("bootstrap.tmp"), dir.resolve("bootstrap"));
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      while (System.nanoTime() < deadline) {
        long total = consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        Files.writeString(dir.resolve("records.tmp"), Long.toString(total));
        Files.move(dir.resolve("records.tmp"), dir.resolve("records"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Thread.sleep(200);
      }
    }
    System.exit(0);
  }
}
