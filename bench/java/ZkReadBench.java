// The official Java client's async API reading the same Kafka-style tree as Dashboard.Bench (batch 1): each
// topic's JSON and partitions list, then every partition's state, with at most WINDOW requests in flight.
// Build and run (see README.md):  javac -cp "$CP" ZkReadBench.java && java -cp "$CP:." ZkReadBench HOST:PORT 1000 3
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.apache.zookeeper.*;

public class ZkReadBench {
    public static void main(String[] args) throws Exception {
        String connect = args[0];
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30000, e -> { if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown(); });
        connected.await();
        for (int round = 1; round <= rounds; round++) {
            List<String> topics = zk.getChildren("/brokers/topics", false);
            Semaphore slots = new Semaphore(window);
            AtomicLong requests = new AtomicLong(), bytes = new AtomicLong(), failures = new AtomicLong();
            Map<String, List<String>> partitions = new ConcurrentHashMap<>();
            long start = System.nanoTime();
            CountDownLatch phase1 = new CountDownLatch(topics.size() * 2);
            for (String t : topics) {
                String path = "/brokers/topics/" + t;
                slots.acquire();
                zk.getData(path, false, (rc, p, ctx, data, stat) -> {
                    if (rc != 0) failures.incrementAndGet(); else { requests.incrementAndGet(); bytes.addAndGet(data.length); }
                    slots.release(); phase1.countDown();
                }, null);
                slots.acquire();
                zk.getChildren(path + "/partitions", false, (rc, p, ctx, children) -> {
                    if (rc != 0) failures.incrementAndGet(); else { requests.incrementAndGet(); partitions.put(t, children); }
                    slots.release(); phase1.countDown();
                }, null);
            }
            phase1.await();
            int states = partitions.values().stream().mapToInt(List::size).sum();
            CountDownLatch phase2 = new CountDownLatch(states);
            for (String t : topics) {
                for (String p : partitions.get(t)) {
                    slots.acquire();
                    zk.getData("/brokers/topics/" + t + "/partitions/" + p + "/state", false, (rc, path, ctx, data, stat) -> {
                        if (rc != 0) failures.incrementAndGet(); else { requests.incrementAndGet(); bytes.addAndGet(data.length); }
                        slots.release(); phase2.countDown();
                    }, null);
                }
            }
            phase2.await();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("round " + round + ": failures=" + failures.get());
            System.out.println("requests=" + requests.get() + " bytes=" + bytes.get() + " ms=" + ms);
        }
        zk.close();
    }
}
