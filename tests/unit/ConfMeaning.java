// Reads a keycloak.conf as Keycloak 26 does (java.util.Properties through
// SmallRye Config's loader, then SmallRye's expression expansion) and
// prints every option as "key<TAB>value", the value as Keycloak sees it.
// Compiled and run by tests/unit/meaning_conf.sh against the jars of the
// distribution under test.
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.utils.ConfigSourceUtil;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeSet;

public class ConfMeaning {
    public static void main(String[] args) throws Exception {
        Map<String, String> raw = ConfigSourceUtil.urlToMap(Paths.get(args[0]).toUri().toURL());
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(raw, args[0], 100)).build();
        for (String key : new TreeSet<>(raw.keySet()))
            System.out.println(key + "\t" + config.getConfigValue(key).getValue());
    }
}
